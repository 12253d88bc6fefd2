"""What every `make bench` module needs: the infrastructure's settings, service processes started
on them, closed loops of calls with progress lines, latency percentiles and peak memory."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator
from collections.abc import Awaitable
from collections.abc import Callable
from collections.abc import Iterator
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path

import grpc
import psycopg
from grpc_health.v1 import health_pb2
from grpc_health.v1 import health_pb2_grpc

from benchmarks.cpu import KAFKA
from benchmarks.cpu import LOAD_DRIVER
from benchmarks.cpu import CpuUse
from benchmarks.cpu import Pids
from benchmarks.cpu import measuring
from benchmarks.cpu import postgres_server
from benchmarks.cpu import quiet

ROOT = Path(__file__).resolve().parent.parent
SECONDS = float(os.environ.get("BENCH_SECONDS", "10"))
# Calls offered per second in the latency phases (open loops), and the p99 each must stay under.
TARGET_P99_MS = {200: 50.0, 500: 250.0}
RATES = [int(r) for r in os.environ.get("BENCH_RATES", "200,500").split(",")]
# A folder to profile every service process into with py-spy (a flame graph each), or empty.
PROFILE_DIR = os.environ.get("BENCH_PROFILE", "")
CONCURRENCY = int(os.environ.get("BENCH_CONCURRENCY", "64"))
TARGET_RSS_MB = 200  # peak resident memory of each service process
# The outbox relay and the projections in a replica of their own that answers no calls (1), or
# elected among the replicas that answer (0).
WORKER = os.environ.get("BENCH_WORKER", "1") == "1"
ANSWERING_ONLY = {"KINLINK_OUTBOX_RELAY": "false", "KINLINK_PROJECTIONS": "false"}


def kafka_broker() -> list[int]:
    """The broker `make infra-up` started (its pid file, kept by deploy/local/infra.py)."""
    pid_file = ROOT / ".cache" / "infra" / "kafka.pid"
    return [int(pid_file.read_text())] if pid_file.exists() else []


def infra_env() -> dict[str, str]:
    """The settings `make infra-up` wrote to .infra.env (KINLINK_KAFKA_BOOTSTRAP, ...)."""
    values = {}
    for line in (ROOT / ".infra.env").read_text().splitlines():
        name, _, value = line.partition("=")
        values[name] = value
    return values


def create_database(env: dict[str, str], service: str) -> str:
    """A fresh PostgreSQL database for this run of the service."""
    database = f"kinlink_bench_{service}_{uuid.uuid4().hex[:8]}"
    admin = env["KINLINK_POSTGRES_DSN"].replace("{database}", "postgres")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{database}"')
    return database


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def peak_rss_mb(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    match = re.search(r"VmHWM:\s+(\d+) kB", status)
    return int(match.group(1)) / 1024 if match else float("nan")


@dataclass
class ServiceProcess:
    """A service's entrypoint in its own process, on the infrastructure, quiet but for warnings."""

    name: str
    process: subprocess.Popen[bytes]
    address: str
    profiler: subprocess.Popen[bytes] | None = None

    @classmethod
    def start(
        cls, module: str, env: dict[str, str], database: str, settings: dict[str, str]
    ) -> ServiceProcess:
        port = free_port()
        child_env = {
            **os.environ,
            **env,
            "KINLINK_GRPC_PORT": str(port),
            "KINLINK_DATABASE": database,
            "KINLINK_LOG_LEVEL": "WARNING",
            "KINLINK_CONSUMER_GROUP": f"bench-{database}",
            **settings,
        }
        process = subprocess.Popen([sys.executable, "-m", module], cwd=ROOT, env=child_env)
        name = module.split(".")[0]
        return cls(name, process, f"127.0.0.1:{port}", profile(name, process.pid))

    async def wait_serving(self) -> None:
        deadline = time.monotonic() + 60
        async with grpc.aio.insecure_channel(self.address) as channel:
            while time.monotonic() < deadline:
                if self.process.poll() is not None:
                    raise RuntimeError(f"{self.name} exited with {self.process.returncode}")
                try:
                    answer = await health_pb2_grpc.HealthStub(channel).Check(
                        health_pb2.HealthCheckRequest(), timeout=1
                    )
                    if answer.status == health_pb2.HealthCheckResponse.SERVING:
                        return
                except grpc.aio.AioRpcError:
                    pass
                await asyncio.sleep(0.2)
        raise RuntimeError(f"{self.name} did not start")

    def stop(self) -> float:
        """Stops the process; its peak resident memory in MB."""
        rss = peak_rss_mb(self.process.pid)
        if self.profiler is not None:  # interrupted, py-spy writes its flame graph
            self.profiler.send_signal(signal.SIGINT)
            self.profiler.wait(timeout=60)
        self.process.terminate()
        self.process.wait(timeout=60)
        return rss


def profile(name: str, pid: int) -> subprocess.Popen[bytes] | None:
    """With BENCH_PROFILE set, py-spy samples the process (every thread, idle ones left out)
    until stopped, into `<BENCH_PROFILE>/<name>-<pid>.svg`."""
    if not PROFILE_DIR:
        return None
    Path(PROFILE_DIR).mkdir(parents=True, exist_ok=True)
    output = Path(PROFILE_DIR) / f"{name}-{pid}.svg"
    print(f"profiling {name} ({pid}) into {output}", flush=True)
    py_spy = Path(sys.executable).parent / "py-spy"
    return subprocess.Popen(
        [py_spy, "record", "--pid", str(pid), "--rate", "200", "--output", str(output)],
        stdout=subprocess.DEVNULL,
    )


@dataclass
class Replicas:
    """A service's processes on one database: those the calls go to, and the worker (if any)
    relaying the outbox and keeping the views."""

    answering: list[ServiceProcess]
    worker: ServiceProcess | None

    @classmethod
    def start(
        cls,
        module: str,
        env: dict[str, str],
        database: str,
        settings: dict[str, str],
        count: int,
    ) -> Replicas:
        answering = {**settings, **ANSWERING_ONLY} if WORKER else settings
        return cls(
            [ServiceProcess.start(module, env, database, answering) for _ in range(count)],
            ServiceProcess.start(module, env, database, settings) if WORKER else None,
        )

    @property
    def all(self) -> list[ServiceProcess]:
        return [*self.answering, *([self.worker] if self.worker else [])]

    def describe(self) -> str:
        if self.worker is None:
            return f"{len(self.answering)} processes, the elected one relaying and projecting"
        return f"{len(self.answering)} answering calls, one more relaying and projecting"

    def cpu_groups(self, env: dict[str, str]) -> dict[str, Pids]:
        """The processes whose CPU per call `cpu.measuring` reports: the answering replicas, the
        worker (if any), PostgreSQL's server processes, the Kafka broker and this process, the
        load driver."""
        groups = {"answering replicas": lambda: [p.process.pid for p in self.answering]}
        if self.worker is not None:
            pid = self.worker.process.pid
            groups["worker"] = lambda: [pid]
        postgres = env["KINLINK_POSTGRES_DSN"].replace("{database}", "postgres")
        return {
            **groups,
            "PostgreSQL": postgres_server(postgres),
            KAFKA: kafka_broker,
            LOAD_DRIVER: lambda: [os.getpid()],
        }

    def stop(self) -> list[float]:
        """Stops them all; their peak resident memory in MB, the worker's last."""
        return [process.stop() for process in self.all]


@dataclass
class Tally:
    """Calls done so far, for the progress lines."""

    done: int = 0


@contextlib.asynccontextmanager
async def progress(what: str, tally: Tally, every: float = 1.0) -> AsyncIterator[None]:
    """Prints `  <done> <what>, <rate>/s` every `every` seconds while the block runs."""

    async def report() -> None:
        last = 0
        while True:
            await asyncio.sleep(every)
            print(f"  {tally.done} {what}, {(tally.done - last) / every:.0f}/s", flush=True)
            last = tally.done

    reporter = asyncio.create_task(report())
    try:
        yield
    finally:
        reporter.cancel()


@contextlib.contextmanager
def counting(what: str, done: Callable[[], float], every: float = 1.0) -> Iterator[None]:
    """As `progress`, for a block that does not await: a thread prints `  <done> <what>,
    <rate>/s` every `every` seconds, `done` reading how many there are so far (a metric)."""
    stopped = threading.Event()

    def report() -> None:
        last = done()
        while not stopped.wait(every):
            now = done()
            print(f"  {now:.0f} {what}, {(now - last) / every:.0f}/s", flush=True)
            last = now

    reporter = threading.Thread(target=report, daemon=True)
    reporter.start()
    try:
        yield
    finally:
        stopped.set()
        reporter.join()


def percentiles(latencies_ms: list[float]) -> tuple[float, float]:
    """(p50, p99) of the latencies; NaN for fewer than two."""
    if len(latencies_ms) < 2:
        return float("nan"), float("nan")
    cuts = statistics.quantiles(latencies_ms, n=100)
    return cuts[49], cuts[98]


@dataclass
class LoopResult:
    completed: int
    seconds: float
    latencies_ms: list[float]
    failures: Counter[str] = field(default_factory=Counter)
    cpu: CpuUse = field(default_factory=CpuUse)  # by the processes the loop was asked to watch

    def cpu_per_call(self) -> str:
        return self.cpu.per_call_ms(self.completed)

    @property
    def rate(self) -> float:
        return self.completed / self.seconds

    def latency(self) -> str:
        p50, p99 = percentiles(self.latencies_ms)
        return f"p50 {p50:.1f} ms, p99 {p99:.1f} ms"


@dataclass
class Latency:
    """What an open loop measured: calls answered, refused by status, their pace, percentiles."""

    offered_rate: int
    completed: int
    failures: Counter[str]
    rate: float
    p50_ms: float
    p99_ms: float

    def describe(self) -> str:
        """The figures beside the target p99 for this pace (that of the next listed pace up)."""
        target_p99_ms = next(
            (ms for rate, ms in sorted(TARGET_P99_MS.items()) if rate >= self.offered_rate),
            max(TARGET_P99_MS.values()),
        )
        line = (
            f"p50 {self.p50_ms:.1f} ms, p99 {self.p99_ms:.1f} ms at {self.rate:,.0f}/s answered "
            f"of {self.offered_rate}/s offered  (target p99 < {target_p99_ms:.0f} ms)"
        )
        if self.failures:
            line += f"; not answered: {dict(self.failures)}"
        return line


async def open_loop(call: Callable[[int], Awaitable[object]], rate: int, count: int) -> Latency:
    """Start `call(i)` for i = 0 .. count-1 at `rate` per second, whatever the answers' pace, and
    time each. Past the service's capacity the queue grows and calls may fail; they are counted
    by their status, not timed."""

    async def timed(i: int) -> float:
        begun = time.perf_counter()
        await call(i)
        return time.perf_counter() - begun

    started = time.monotonic()
    tasks = []
    for i in range(count):
        delay = started + i / rate - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(timed(i)))
        if i and i % rate == 0:
            print(f"  offered {i}", flush=True)
    outcomes = await asyncio.gather(*tasks, return_exceptions=True)
    elapsed = time.monotonic() - started
    seconds = [o for o in outcomes if isinstance(o, float)]
    failures = Counter(failure_name(o) for o in outcomes if isinstance(o, BaseException))
    p50, p99 = percentiles([s * 1000 for s in seconds])
    return Latency(rate, len(seconds), failures, len(seconds) / elapsed, p50, p99)


def failure_name(error: BaseException) -> str:
    return error.code().name if isinstance(error, grpc.aio.AioRpcError) else type(error).__name__


async def call_floor(channels: list[grpc.aio.Channel], groups: dict[str, Pids]) -> str:
    """The cheapest call the replicas answer (gRPC health checks, through the same server and
    interceptors) in a closed loop like the measured one's: what any call costs before its
    work, printed beside the money path's figures."""
    stubs = [health_pb2_grpc.HealthStub(channel) for channel in channels]
    result = await closed_loop(
        "health checks",
        lambda i: stubs[i % len(stubs)].Check(health_pb2.HealthCheckRequest(), timeout=60),
        seconds=SECONDS / 2,
        watched=groups,
    )
    return (
        f"{result.rate:,.0f} health checks/s on the same replicas, {result.latency()}; "
        f"CPU per check: {result.cpu_per_call()}"
    )


async def closed_loop(
    what: str,
    call: Callable[[int], Awaitable[object]],
    *,
    seconds: float = SECONDS,
    concurrency: int = CONCURRENCY,
    limit: int | None = None,
    watched: Mapping[str, Pids] | None = None,
) -> LoopResult:
    """`concurrency` callers each making the next call (`call(i)`, i = 0, 1, ...) as soon as their
    last one answered, for `seconds` or until `limit` calls are made. Failed calls are counted
    by their status, not timed; progress lines name the calls `what`. The CPU the `watched`
    processes used meanwhile is in the result."""
    tally = Tally()
    latencies: list[float] = []
    failures: Counter[str] = Counter()
    numbers = itertools.count()
    await quiet(watched or {})  # the CPU measured is the calls', not what came before them
    started = time.monotonic()
    deadline = started + seconds

    async def caller() -> None:
        while time.monotonic() <= deadline:
            i = next(numbers)
            if limit is not None and i >= limit:
                return
            begun = time.perf_counter()
            try:
                await call(i)
            except grpc.aio.AioRpcError as error:
                failures[failure_name(error)] += 1
                continue
            latencies.append((time.perf_counter() - begun) * 1000)
            tally.done += 1

    with measuring(watched or {}) as used:
        async with progress(what, tally):
            await asyncio.gather(*(caller() for _ in range(concurrency)))
        ended = time.monotonic()
        # The CPU of the work the calls left queued (relaying, projecting) is theirs too.
        await quiet(watched or {})
    return LoopResult(tally.done, ended - started, latencies, failures, used)

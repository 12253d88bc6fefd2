#!/usr/bin/env python3
"""Start, stop and inspect Kinlink's local infrastructure: Kafka, PostgreSQL, stripe-mock,
Garage, LiveKit.

Tests and local runs need a Kafka broker, a PostgreSQL server with one database per
service, a fake Stripe API and an S3-compatible object store. This script runs them as
plain processes from this checkout, without containers:

* Apache Kafka 4.1.1, one KRaft node (broker + controller), from the Maven Central jars
  listed in deploy/kafka/pom.xml;
* the system's PostgreSQL 15 (/usr/lib/postgresql/15/bin), tuned for tests (no fsync);
* stripe-mock, built once with `go install`;
* Garage 2.5.0, one node, built once with `cargo install` (minutes: watch its progress),
  with a bucket and a key for it made through its CLI;
* LiveKit's server 1.13.5 (video visits) in its development mode, built once by the Makefile
  with `go install` into .cache/tools/bin/livekit-server.

State lives in .cache/infra/ (logs in .cache/infra/logs/). `up` is idempotent: it starts
what is not running, waits until every part answers, and writes the connection settings
to .infra.env. `down` stops everything and deletes Kafka, PostgreSQL and Garage data, so
the next `up` starts from a clean cluster; downloaded jars and built binaries are kept.
Naming parts acts on those alone and rewrites only their lines of .infra.env.

    python3 deploy/local/infra.py up | down [kafka postgres stripe-mock garage livekit] | status

Standard library only, so that it runs before the uv workspace exists.
"""

from __future__ import annotations

import base64
import hashlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path


def env_port(name: str, default: int) -> int:
    value = os.environ.get(name, str(default))
    if not value.isdigit() or not 0 < int(value) < 65536:
        sys.exit(f"infra: {name}={value!r} is not a TCP port")
    return int(value)


ROOT = Path(__file__).resolve().parents[2]
STATE = ROOT / ".cache" / "infra"
LOGS = STATE / "logs"
ENV_FILE = ROOT / ".infra.env"

HOST = "127.0.0.1"
KAFKA_PORT = env_port("KINLINK_KAFKA_PORT", 19092)
KAFKA_CONTROLLER_PORT = env_port("KINLINK_KAFKA_CONTROLLER_PORT", 19093)
POSTGRES_PORT = env_port("KINLINK_POSTGRES_PORT", 15432)
STRIPE_PORT = env_port("KINLINK_STRIPE_PORT", 12111)
STRIPE_HTTPS_PORT = env_port("KINLINK_STRIPE_HTTPS_PORT", STRIPE_PORT + 1)
S3_PORT = env_port("KINLINK_S3_PORT", 13900)
GARAGE_RPC_PORT = env_port("KINLINK_GARAGE_RPC_PORT", S3_PORT + 1)
GARAGE_ADMIN_PORT = env_port("KINLINK_GARAGE_ADMIN_PORT", S3_PORT + 3)

KAFKA_POM = ROOT / "deploy" / "kafka" / "pom.xml"
KAFKA_LOG4J = ROOT / "deploy" / "kafka" / "log4j2.properties"
KAFKA_JARS = STATE / "kafka-jars"
KAFKA_HOME = STATE / "kafka"
KAFKA_DATA = KAFKA_HOME / "data"
KAFKA_CONFIG = KAFKA_HOME / "server.properties"
KAFKA_PID = STATE / "kafka.pid"
KAFKA_LOG = LOGS / "kafka.log"
KAFKA_STARTED = "Kafka Server started"  # logged by kafka.server.KafkaRaftServer

PG_BIN = Path("/usr/lib/postgresql/15/bin")
PG_LOG = LOGS / "postgres.log"
DATABASES = (
    "kinlink_identity",
    "kinlink_ledger",
    "kinlink_messaging",
    "kinlink_commissary",
    "kinlink_visitation",
    "kinlink_sms",
    "kinlink_bench",
)

STRIPE_MOCK_MODULE = "github.com/stripe/stripe-mock@v0.203.0"
STRIPE_MOCK_BIN = STATE / "bin" / "stripe-mock"
STRIPE_PID = STATE / "stripe-mock.pid"
STRIPE_LOG = LOGS / "stripe-mock.log"

GARAGE_VERSION = "2.5.0"
GARAGE_BIN = STATE / "bin" / "garage"
GARAGE_HOME = STATE / "garage"
GARAGE_CONFIG = GARAGE_HOME / "garage.toml"
GARAGE_RPC_SECRET = GARAGE_HOME / "rpc_secret"
GARAGE_KEY = GARAGE_HOME / "s3_key"  # the access key id and its secret, a line each
GARAGE_PID = STATE / "garage.pid"
GARAGE_LOG = LOGS / "garage.log"

LIVEKIT_PORT = env_port("KINLINK_LIVEKIT_PORT", 17880)
LIVEKIT_RTC_TCP_PORT = env_port("KINLINK_LIVEKIT_RTC_TCP_PORT", LIVEKIT_PORT + 1)
LIVEKIT_RTC_UDP_PORT = env_port("KINLINK_LIVEKIT_RTC_UDP_PORT", LIVEKIT_PORT + 2)
LIVEKIT_BIN = ROOT / ".cache" / "tools" / "bin" / "livekit-server"  # built by the Makefile
LIVEKIT_HOME = STATE / "livekit"
LIVEKIT_PID = STATE / "livekit.pid"
LIVEKIT_LOG = LOGS / "livekit.log"
LIVEKIT_START_TIMEOUT = 30.0
# The development mode's key (`--dev`): the shared server is for tests and local runs only.
LIVEKIT_DEV_KEY, LIVEKIT_DEV_SECRET = "devkey", "secret"
S3_REGION = "kinlink-local"
S3_BUCKET = "kinlink-messages"

DOWNLOAD_TIMEOUT = 900.0  # mvn / go install on a cold cache
BUILD_TIMEOUT = 3600.0  # cargo install of Garage: about 19 minutes of CPU
PROGRESS_EVERY = 30.0  # seconds between reports of a long install
START_TIMEOUT = {"kafka": 90.0, "postgres": 60.0, "stripe-mock": 30.0, "garage": 30.0}


class InfraError(Exception):
    """A part failed; `log` is the file whose tail explains why."""

    def __init__(self, message: str, log: Path | None = None) -> None:
        super().__init__(message)
        self.log = log


# --- small helpers ------------------------------------------------------------------

_output = threading.Lock()


def say(part: str, message: str) -> None:
    with _output:
        print(f"{part}: {message}", flush=True)


def rel(path: Path) -> str:
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def tool(name: str, *fallbacks: str) -> str:
    found = shutil.which(name) or next((f for f in fallbacks if os.access(f, os.X_OK)), None)
    if found is None:
        raise InfraError(f"{name} not found on PATH")
    return found


def port_open(port: int) -> bool:
    try:
        with socket.create_connection((HOST, port), timeout=0.5):
            return True
    except OSError:
        return False


def ensure_port_free(part: str, port: int, env_var: str) -> None:
    if port_open(port):
        raise InfraError(
            f"{part}: {HOST}:{port} is already in use by a process this script did not "
            f"start; stop it or choose another port with {env_var}=..."
        )


def log_tail(log: Path, lines: int = 30) -> str:
    try:
        return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


def run_logged(
    part: str,
    what: str,
    cmd: list[str],
    log: Path,
    timeout: float,
    progress: Callable[[], str] | None = None,
    **kwargs,
) -> None:
    """Run a command to completion, output to `log`; raise InfraError if it fails. With
    `progress`, say what it returns every PROGRESS_EVERY seconds until the command ends."""
    started = time.monotonic()
    with log.open("w") as out:
        command = subprocess.Popen(
            cmd, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT, **kwargs
        )
        while True:
            left = started + timeout - time.monotonic()
            try:
                returncode = command.wait(min(left, PROGRESS_EVERY) if progress else left)
                break
            except subprocess.TimeoutExpired:
                if time.monotonic() - started >= timeout:
                    command.kill()
                    command.wait()
                    raise InfraError(
                        f"{part}: {what} did not finish in {timeout:.0f}s", log
                    ) from None
                if progress:
                    say(part, f"{what} ... {time.monotonic() - started:.0f}s, {progress()}")
    if returncode != 0:
        raise InfraError(f"{part}: {what} failed (exit {returncode})", log)


def wait_until(
    part: str,
    what: str,
    ready: Callable[[], bool],
    alive: Callable[[], bool],
    timeout: float,
    log: Path | None,
) -> float:
    """Poll `ready` until true; print progress each second; fail on timeout or death."""
    start = time.monotonic()
    next_report = start + 1.0
    seen_dead = 0
    while True:
        if ready():
            return time.monotonic() - start
        # /proc can briefly disagree about a process that has just started: believe it is
        # gone only when it looks so twice in a row.
        seen_dead = 0 if alive() else seen_dead + 1
        if seen_dead == 2:
            raise InfraError(f"{part}: process exited while waiting for {what}", log)
        now = time.monotonic()
        if now - start > timeout:
            raise InfraError(f"{part}: {what} not ready after {timeout:.0f}s", log)
        if now >= next_report:
            say(part, f"waiting for {what} ... {now - start:.1f}s")
            next_report += 1.0
        time.sleep(0.2)


# --- processes started by this script (Kafka, stripe-mock) ----------------------------


def process_alive(pid: int, marker: str) -> bool:
    """True if `pid` runs (not a zombie) and its command line contains `marker`."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except (OSError, IndexError):
        return False
    return state != "Z" and marker.encode() in cmdline


def running_pid(pid_file: Path, marker: str) -> int | None:
    try:
        pid = int(pid_file.read_text().strip())
    except (OSError, ValueError):
        return None
    return pid if process_alive(pid, marker) else None


def spawn(cmd: list[str], log: Path, pid_file: Path, cwd: Path) -> int:
    """Start a detached daemon (own session, output to `log`) and record its pid."""
    with log.open("w") as out:
        process = subprocess.Popen(
            cmd,
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    pid_file.write_text(f"{process.pid}\n")
    return process.pid


def stop_process(part: str, pid_file: Path, marker: str, grace: float) -> None:
    pid = running_pid(pid_file, marker)
    if pid is None:
        say(part, "not running")
    else:
        for sig, timeout in ((signal.SIGTERM, grace), (signal.SIGKILL, 10.0)):
            say(part, f"stopping pid {pid} ({sig.name})")
            try:
                os.kill(pid, sig)
            except ProcessLookupError:
                break
            try:
                took = wait_until(
                    part,
                    f"pid {pid} to exit",
                    lambda: not process_alive(pid, marker),
                    lambda: True,
                    timeout,
                    None,
                )
                say(part, f"stopped in {took:.1f}s")
                break
            except InfraError:
                if sig == signal.SIGKILL:
                    raise InfraError(f"{part}: pid {pid} survived SIGKILL") from None
    pid_file.unlink(missing_ok=True)


# --- Kafka ------------------------------------------------------------------------------


def kafka_java(main_class: str, *args: str, heap: tuple[str, ...] = ()) -> list[str]:
    return [
        tool("java", "/usr/bin/java"),
        *heap,
        "-Djava.awt.headless=true",
        f"-Dlog4j2.configurationFile={KAFKA_LOG4J}",
        "-cp",
        f"{KAFKA_JARS}/*",
        main_class,
        *args,
    ]


def fetch_kafka_jars() -> None:
    """Copy the broker jars from Maven unless the stamp says pom.xml is unchanged."""
    stamp = KAFKA_JARS / ".complete"
    wanted = f"pom.xml sha256 {hashlib.sha256(KAFKA_POM.read_bytes()).hexdigest()}\n"
    if any(KAFKA_JARS.glob("*.jar")) and stamp.is_file() and stamp.read_text() == wanted:
        return
    shutil.rmtree(KAFKA_JARS, ignore_errors=True)
    say("kafka", "fetching jars with Maven ...")
    started = time.monotonic()
    run_logged(
        "kafka",
        "fetching jars with Maven",
        [
            tool("mvn"),
            "-q",
            "-B",
            "-f",
            str(KAFKA_POM),
            "dependency:copy-dependencies",
            f"-DoutputDirectory={KAFKA_JARS}",
        ],
        LOGS / "kafka-jars.log",
        DOWNLOAD_TIMEOUT,
    )
    stamp.write_text(wanted)
    say("kafka", f"jars fetched in {time.monotonic() - started:.1f}s")


def write_kafka_config(
    home: Path = KAFKA_HOME,
    port: int = KAFKA_PORT,
    controller_port: int = KAFKA_CONTROLLER_PORT,
    auto_create_topics: bool = True,
) -> None:
    home.mkdir(parents=True, exist_ok=True)
    settings = {
        "process.roles": "broker,controller",
        "node.id": "1",
        "controller.quorum.voters": f"1@{HOST}:{controller_port}",
        "listeners": f"PLAINTEXT://{HOST}:{port},CONTROLLER://{HOST}:{controller_port}",
        "advertised.listeners": f"PLAINTEXT://{HOST}:{port}",
        "controller.listener.names": "CONTROLLER",
        "inter.broker.listener.name": "PLAINTEXT",
        "listener.security.protocol.map": "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
        "log.dirs": str(home / "data"),
        "num.partitions": "3",
        "auto.create.topics.enable": str(auto_create_topics).lower(),
        "group.initial.rebalance.delay.ms": "0",
        "offsets.topic.replication.factor": "1",
        "transaction.state.log.replication.factor": "1",
        "transaction.state.log.min.isr": "1",
        "min.insync.replicas": "1",
        "share.coordinator.state.topic.replication.factor": "1",
        "share.coordinator.state.topic.min.isr": "1",
    }
    lines = ["# Generated by deploy/local/infra.py; rewritten on every start."]
    lines += [f"{key}={value}" for key, value in settings.items()]
    (home / "server.properties").write_text("\n".join(lines) + "\n")


def format_kafka_storage(home: Path = KAFKA_HOME) -> None:
    """Format the KRaft log dir once, with a fresh cluster id (after `down`, again)."""
    if (home / "data" / "meta.properties").exists():
        return
    cluster_id = ""
    while not cluster_id or cluster_id.startswith("-"):  # Kafka avoids ids starting with '-'
        cluster_id = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
    say("kafka", f"formatting storage (cluster id {cluster_id})")
    run_logged(
        "kafka",
        "formatting storage (kafka.tools.StorageTool)",
        kafka_java(
            "kafka.tools.StorageTool",
            "format",
            "-t",
            cluster_id,
            "-c",
            str(home / "server.properties"),
        ),
        LOGS / "kafka-format.log",
        60.0,
        cwd=home,
    )


def kafka_ready(port: int = KAFKA_PORT, log: Path = KAFKA_LOG) -> bool:
    return port_open(port) and KAFKA_STARTED in log_tail(log, 10_000)


def kafka_up() -> None:
    address = f"{HOST}:{KAFKA_PORT}"
    pid = running_pid(KAFKA_PID, "kafka.Kafka")
    if pid is not None and port_open(KAFKA_PORT):
        say("kafka", f"already running (pid {pid}) on {address}")
        return
    if pid is None:
        ensure_port_free("kafka", KAFKA_PORT, "KINLINK_KAFKA_PORT")
        ensure_port_free("kafka", KAFKA_CONTROLLER_PORT, "KINLINK_KAFKA_CONTROLLER_PORT")
        fetch_kafka_jars()
        write_kafka_config()
        format_kafka_storage()
        broker = kafka_java("kafka.Kafka", str(KAFKA_CONFIG), heap=("-Xms256m", "-Xmx512m"))
        pid = spawn(broker, KAFKA_LOG, KAFKA_PID, KAFKA_HOME)
        say("kafka", f"started pid {pid}, log {rel(KAFKA_LOG)}")
    took = wait_until(
        "kafka",
        address,
        kafka_ready,
        lambda: process_alive(pid, "kafka.Kafka"),
        START_TIMEOUT["kafka"],
        KAFKA_LOG,
    )
    say("kafka", f"ready on {address} ({took:.1f}s)")


def kafka_down() -> None:
    stop_process("kafka", KAFKA_PID, "kafka.Kafka", grace=30.0)
    if KAFKA_HOME.exists():
        shutil.rmtree(KAFKA_HOME)
        say("kafka", "data removed")


# --- PostgreSQL ---------------------------------------------------------------------------
# initdb and the server refuse to run as root: as root, run them as the `postgres` user.

AS_ROOT = os.geteuid() == 0


def as_postgres(cmd: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *cmd] if AS_ROOT else cmd


def pg(name: str) -> str:
    return str(PG_BIN / name)


def pg_home_fallback() -> Path:
    return Path("/var/tmp") / f"kinlink-pg-{hashlib.sha256(str(ROOT).encode()).hexdigest()[:12]}"


def pg_home() -> Path:
    """.cache/infra/pg, unless the postgres user cannot reach the repository."""
    if not AS_ROOT:
        return STATE / "pg"
    reachable = subprocess.run(as_postgres(["test", "-x", str(ROOT)]), cwd="/").returncode == 0
    return STATE / "pg" if reachable else pg_home_fallback()


def pg_running(data: Path) -> bool:
    if not (data / "PG_VERSION").exists():
        return False
    status = subprocess.run(
        as_postgres([pg("pg_ctl"), "status", "-D", str(data)]),
        cwd="/",
        capture_output=True,
    )
    return status.returncode == 0


def pg_isready(port: int = POSTGRES_PORT) -> bool:
    check = [pg("pg_isready"), "-q", "-h", HOST, "-p", str(port)]
    return subprocess.run(check, capture_output=True).returncode == 0


def prepare_pg_home(home: Path) -> None:
    if home == pg_home_fallback():
        say(
            "postgres",
            f"the postgres user cannot traverse {ROOT}; keeping data in {home} "
            "(to keep it in the repository, make every parent folder o+x)",
        )
    for folder in (home, home / "run"):
        folder.mkdir(parents=True, exist_ok=True)
    if home.is_relative_to(ROOT):
        for folder in (ROOT / ".cache", STATE):  # the postgres user must traverse these
            folder.chmod(folder.stat().st_mode | 0o001)
    if AS_ROOT:
        for folder in (home, home / "run"):
            shutil.chown(folder, "postgres", "postgres")


def pg_locale() -> str:
    available = subprocess.run(["locale", "-a"], capture_output=True, text=True).stdout.lower()
    return "C.UTF-8" if {"c.utf8", "c.utf-8"} & set(available.split()) else "C"


def init_pg_cluster(home: Path) -> None:
    say("postgres", f"initdb {rel(home / 'data')}")
    run_logged(
        "postgres",
        "initdb",
        as_postgres(
            [
                pg("initdb"),
                "-D",
                str(home / "data"),
                "-A",
                "trust",
                "-U",
                "postgres",
                "--encoding=UTF8",
                f"--locale={pg_locale()}",
            ]
        ),
        LOGS / "postgres-initdb.log",
        120.0,
        cwd=home,
    )
    with (home / "data" / "postgresql.conf").open("a") as conf:
        conf.write("\ninclude_if_exists = 'kinlink.conf'\n")


def write_pg_config(home: Path, port: int = POSTGRES_PORT) -> None:
    socket_dir = home / "run"
    # A Unix socket path is limited to 107 bytes; use TCP only if the checkout is too deep.
    sockets = str(socket_dir) if len(f"{socket_dir}/.s.PGSQL.{port}") < 100 else ""
    conf = home / "data" / "kinlink.conf"
    conf.write_text(
        "# Generated by deploy/local/infra.py on every start: settings for tests.\n"
        f"listen_addresses = '{HOST}'\n"
        f"port = {port}\n"
        f"unix_socket_directories = '{sockets}'\n"
        "fsync = off\n"
        "synchronous_commit = off\n"
        "full_page_writes = off\n"
        "max_connections = 200\n"
        "shared_buffers = 256MB\n"
    )
    if AS_ROOT:
        shutil.chown(conf, "postgres", "postgres")


def create_databases() -> None:
    connection = ["-h", HOST, "-p", str(POSTGRES_PORT), "-U", "postgres"]
    listing = subprocess.run(
        [pg("psql"), *connection, "-d", "postgres", "-XtAc", "SELECT datname FROM pg_database"],
        capture_output=True,
        text=True,
    )
    if listing.returncode != 0:
        raise InfraError(f"postgres: cannot list databases: {listing.stderr.strip()}")
    for name in sorted(set(DATABASES) - set(listing.stdout.split())):
        created = subprocess.run(
            [pg("createdb"), *connection, name], capture_output=True, text=True
        )
        if created.returncode != 0:
            raise InfraError(f"postgres: createdb {name} failed: {created.stderr.strip()}")
        say("postgres", f"created database {name}")


def postgres_up() -> None:
    address = f"{HOST}:{POSTGRES_PORT}"
    home = pg_home()
    if pg_running(home / "data"):
        say("postgres", f"already running on {address}")
        wait_until("postgres", address, pg_isready, lambda: True, START_TIMEOUT["postgres"], PG_LOG)
    else:
        ensure_port_free("postgres", POSTGRES_PORT, "KINLINK_POSTGRES_PORT")
        prepare_pg_home(home)
        if not (home / "data" / "PG_VERSION").exists():
            init_pg_cluster(home)
        write_pg_config(home)
        timeout = START_TIMEOUT["postgres"]
        with PG_LOG.open("w") as log:  # the server inherits this file as stdout/stderr
            pg_ctl = subprocess.Popen(
                as_postgres(
                    [pg("pg_ctl"), "start", "-D", str(home / "data"), "-w", "-t", f"{timeout:.0f}"]
                ),
                cwd=home,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        say("postgres", f"starting, log {rel(PG_LOG)}")
        took = wait_until(
            "postgres",
            address,
            pg_isready,
            lambda: pg_ctl.poll() in (None, 0),
            timeout,
            PG_LOG,
        )
        pg_ctl.wait()
        say("postgres", f"ready on {address} ({took:.1f}s)")
    create_databases()


def postgres_down() -> None:
    homes = [STATE / "pg", pg_home_fallback()]
    if not any(pg_running(home / "data") for home in homes):
        say("postgres", "not running")
    for home in homes:
        if pg_running(home / "data"):
            say("postgres", "stopping (pg_ctl stop -m fast)")
            started = time.monotonic()
            run_logged(
                "postgres",
                "pg_ctl stop",
                as_postgres(
                    [pg("pg_ctl"), "stop", "-D", str(home / "data"), "-m", "fast", "-w", "-t", "30"]
                ),
                LOGS / "postgres-stop.log",
                60.0,
                cwd="/",
            )
            say("postgres", f"stopped in {time.monotonic() - started:.1f}s")
        if home.exists():
            shutil.rmtree(home)
            say("postgres", "data removed")


# --- private servers, for tests that stop and start them -----------------------------------
# Tests that restart a server must not restart the shared one: they start their own, on other
# ports, with its data under `home`, and stop it themselves (`stop` keeps the data).


class PrivateKafka:
    """A one-node Kafka of its own; topics are created only on request (auto-create off)."""

    def __init__(self, home: Path, port: int, controller_port: int) -> None:
        self.home, self.port, self.controller_port = home, port, controller_port
        self.log, self.pid_file = home / "kafka.log", home / "kafka.pid"
        self.bootstrap = f"{HOST}:{port}"

    def start(self) -> None:
        LOGS.mkdir(parents=True, exist_ok=True)
        fetch_kafka_jars()
        write_kafka_config(self.home, self.port, self.controller_port, auto_create_topics=False)
        format_kafka_storage(self.home)
        broker = kafka_java("kafka.Kafka", str(self.home / "server.properties"), heap=("-Xmx384m",))
        pid = spawn(broker, self.log, self.pid_file, self.home)
        wait_until(
            "private kafka",
            self.bootstrap,
            lambda: kafka_ready(self.port, self.log),
            lambda: process_alive(pid, "kafka.Kafka"),
            START_TIMEOUT["kafka"],
            self.log,
        )

    def stop(self) -> None:
        stop_process("private kafka", self.pid_file, "kafka.Kafka", grace=30.0)


class PrivatePostgres:
    """A PostgreSQL cluster of its own, trusting local connections as user `postgres`."""

    def __init__(self, home: Path, port: int) -> None:
        self.home, self.port = home, port
        self.log = LOGS / f"postgres-{port}-ctl.log"
        self.dsn = f"postgresql://postgres@{HOST}:{port}/{{database}}"

    def start(self) -> None:
        LOGS.mkdir(parents=True, exist_ok=True)
        prepare_pg_home(self.home)
        if not (self.home / "data" / "PG_VERSION").exists():
            init_pg_cluster(self.home)
        write_pg_config(self.home, self.port)
        data, server_log = str(self.home / "data"), str(self.home / "server.log")
        command = [pg("pg_ctl"), "start", "-D", data, "-w", "-l", server_log]
        run_logged(
            "private postgres", "pg_ctl start", as_postgres(command), self.log, 60.0, cwd="/"
        )
        wait_until(
            "private postgres",
            f"{HOST}:{self.port}",
            lambda: pg_isready(self.port),
            lambda: True,
            START_TIMEOUT["postgres"],
            self.log,
        )

    def stop(self) -> None:
        command = [pg("pg_ctl"), "stop", "-D", str(self.home / "data"), "-m", "fast", "-w"]
        run_logged("private postgres", "pg_ctl stop", as_postgres(command), self.log, 60.0, cwd="/")


# --- stripe-mock ----------------------------------------------------------------------------


def install_stripe_mock() -> None:
    if os.access(STRIPE_MOCK_BIN, os.X_OK):
        return
    say("stripe-mock", f"go install {STRIPE_MOCK_MODULE} ...")
    started = time.monotonic()
    run_logged(
        "stripe-mock",
        "go install",
        [tool("go", "/usr/local/go/bin/go"), "install", STRIPE_MOCK_MODULE],
        LOGS / "stripe-mock-install.log",
        DOWNLOAD_TIMEOUT,
        env={**os.environ, "GOBIN": str(STRIPE_MOCK_BIN.parent)},
    )
    say("stripe-mock", f"installed in {time.monotonic() - started:.1f}s")


def stripe_mock_answers() -> bool:
    request = urllib.request.Request(
        f"http://{HOST}:{STRIPE_PORT}/v1/customers",
        headers={"Authorization": "Bearer sk_test_123"},
    )
    try:
        with urllib.request.urlopen(request, timeout=1.0) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


def stripe_mock_up() -> None:
    address = f"{HOST}:{STRIPE_PORT}"
    pid = running_pid(STRIPE_PID, "stripe-mock")
    if pid is not None and stripe_mock_answers():
        say("stripe-mock", f"already running (pid {pid}) on {address}")
        return
    if pid is None:
        ensure_port_free("stripe-mock", STRIPE_PORT, "KINLINK_STRIPE_PORT")
        ensure_port_free("stripe-mock", STRIPE_HTTPS_PORT, "KINLINK_STRIPE_HTTPS_PORT")
        install_stripe_mock()
        cmd = [
            str(STRIPE_MOCK_BIN),
            "-http-addr",
            address,
            "-https-addr",
            f"{HOST}:{STRIPE_HTTPS_PORT}",
        ]
        pid = spawn(cmd, STRIPE_LOG, STRIPE_PID, STATE)
        say("stripe-mock", f"started pid {pid}, log {rel(STRIPE_LOG)}")
    took = wait_until(
        "stripe-mock",
        f"GET http://{address}/v1/customers",
        stripe_mock_answers,
        lambda: process_alive(pid, "stripe-mock"),
        START_TIMEOUT["stripe-mock"],
        STRIPE_LOG,
    )
    say("stripe-mock", f"ready on {address} ({took:.1f}s)")


def stripe_mock_down() -> None:
    stop_process("stripe-mock", STRIPE_PID, "stripe-mock", grace=10.0)


# --- Garage -------------------------------------------------------------------------------------
# One node holding every copy (replication factor 1), its S3 API on S3_PORT. The node, its
# layout, the key and the bucket are made with the `garage` CLI, which talks to the node over
# RPC with the secret in the generated config.


def install_garage() -> None:
    if os.access(GARAGE_BIN, os.X_OK):
        return
    say("garage", f"cargo install --locked garage@{GARAGE_VERSION} (once; minutes) ...")
    started = time.monotonic()
    log = LOGS / "garage-install.log"
    run_logged(
        "garage",
        "cargo install",
        [
            tool("cargo", str(Path.home() / ".cargo" / "bin" / "cargo")),
            "install",
            "--locked",
            f"garage@{GARAGE_VERSION}",
            "--root",
            str(STATE),
        ],
        log,
        BUILD_TIMEOUT,
        progress=lambda: f"{log_tail(log, 100_000).count('Compiling ')} crates compiled",
    )
    say("garage", f"installed in {time.monotonic() - started:.1f}s")


def write_secret(path: Path, value: str) -> None:
    """Garage refuses secret files others may read."""
    path.touch(mode=0o600, exist_ok=True)
    path.chmod(0o600)
    path.write_text(value + "\n")


def write_garage_config() -> None:
    """The config, rewritten on every start (ports may change); the RPC secret and the S3 key
    are made once per data dir, so `up` on a running node names the same key."""
    for folder in (GARAGE_HOME / "meta", GARAGE_HOME / "data"):
        folder.mkdir(parents=True, exist_ok=True)
    if not GARAGE_RPC_SECRET.exists():
        write_secret(GARAGE_RPC_SECRET, os.urandom(32).hex())
    if not GARAGE_KEY.exists():  # Garage's format: GK + 12 bytes, a 32-byte secret, in hex
        write_secret(GARAGE_KEY, f"GK{os.urandom(12).hex()}\n{os.urandom(32).hex()}")
    GARAGE_CONFIG.write_text(
        "# Generated by deploy/local/infra.py on every start: one node for tests.\n"
        f'metadata_dir = "{GARAGE_HOME / "meta"}"\n'
        f'data_dir = "{GARAGE_HOME / "data"}"\n'
        'db_engine = "sqlite"\n'
        "metadata_fsync = false\n"
        "data_fsync = false\n"
        "replication_factor = 1\n"
        f'rpc_bind_addr = "{HOST}:{GARAGE_RPC_PORT}"\n'
        f'rpc_public_addr = "{HOST}:{GARAGE_RPC_PORT}"\n'
        f'rpc_secret_file = "{GARAGE_RPC_SECRET}"\n'
        "\n[s3_api]\n"
        f'api_bind_addr = "{HOST}:{S3_PORT}"\n'
        f's3_region = "{S3_REGION}"\n'
        "\n[admin]\n"
        f'api_bind_addr = "{HOST}:{GARAGE_ADMIN_PORT}"\n'
    )


def garage_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(GARAGE_BIN), "-c", str(GARAGE_CONFIG), *args],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60.0,
    )


def garage(*args: str) -> str:
    done = garage_cli(*args)
    if done.returncode != 0:
        raise InfraError(f"garage {' '.join(args[:2])} failed: {done.stderr.strip()[-2000:]}")
    return done.stdout


def garage_healthy() -> bool:
    """The admin API's /health: 200 once the node serves every partition."""
    try:
        with urllib.request.urlopen(f"http://{HOST}:{GARAGE_ADMIN_PORT}/health", timeout=1.0) as r:
            return r.status == 200
    except (urllib.error.URLError, OSError):
        return False


def garage_key() -> tuple[str, str]:
    key_id, secret = GARAGE_KEY.read_text().split()
    return key_id, secret


def provision_garage() -> None:
    """Give the node its role, import the key, create the bucket and allow the key on it; each
    step only if not done, so `up` on a running node changes nothing."""
    if "NO ROLE ASSIGNED" in garage("status"):
        node_id = garage("node", "id", "-q").strip().split("@")[0]
        garage("layout", "assign", "-z", "local", "-c", "1G", node_id)
        garage("layout", "apply", "--version", "1")
        say("garage", "layout applied (one node, replication factor 1)")
    key_id, secret = garage_key()
    if garage_cli("key", "info", key_id).returncode != 0:
        garage("key", "import", "--yes", "-n", "kinlink", key_id, secret)
    if garage_cli("bucket", "info", S3_BUCKET).returncode != 0:
        garage("bucket", "create", S3_BUCKET)
        say("garage", f"created bucket {S3_BUCKET}")
    garage("bucket", "allow", "--read", "--write", S3_BUCKET, "--key", key_id)


def garage_up() -> None:
    address = f"{HOST}:{S3_PORT}"
    pid = running_pid(GARAGE_PID, str(GARAGE_CONFIG))
    if pid is None:
        for port, env_var in (
            (S3_PORT, "KINLINK_S3_PORT"),
            (GARAGE_RPC_PORT, "KINLINK_GARAGE_RPC_PORT"),
            (GARAGE_ADMIN_PORT, "KINLINK_GARAGE_ADMIN_PORT"),
        ):
            ensure_port_free("garage", port, env_var)
        install_garage()
        write_garage_config()
        pid = spawn(
            [str(GARAGE_BIN), "-c", str(GARAGE_CONFIG), "server"], GARAGE_LOG, GARAGE_PID, STATE
        )
        say("garage", f"started pid {pid}, log {rel(GARAGE_LOG)}")
    else:
        say("garage", f"already running (pid {pid}) on {address}")
    started, config = time.monotonic(), str(GARAGE_CONFIG)
    timeout = START_TIMEOUT["garage"]
    wait_until(
        "garage",
        f"RPC on {HOST}:{GARAGE_RPC_PORT}",
        lambda: garage_cli("status").returncode == 0,
        lambda: process_alive(pid, config),
        timeout,
        GARAGE_LOG,
    )
    provision_garage()
    wait_until(
        "garage",
        f"GET http://{HOST}:{GARAGE_ADMIN_PORT}/health",
        garage_healthy,
        lambda: process_alive(pid, config),
        timeout,
        GARAGE_LOG,
    )
    took = time.monotonic() - started
    say("garage", f"ready on {address}, bucket {S3_BUCKET} ({took:.1f}s)")


def garage_down() -> None:
    stop_process("garage", GARAGE_PID, str(GARAGE_CONFIG), grace=10.0)
    if GARAGE_HOME.exists():
        shutil.rmtree(GARAGE_HOME)
        say("garage", "data removed")


GARAGE_VARIABLES = tuple(
    f"KINLINK_S3_{name}"
    for name in ("ENDPOINT", "REGION", "BUCKET", "ACCESS_KEY_ID", "SECRET_ACCESS_KEY")
)


def garage_env() -> list[str]:
    values = (f"http://{HOST}:{S3_PORT}", S3_REGION, S3_BUCKET, *garage_key())
    return [f"{name}={value}" for name, value in zip(GARAGE_VARIABLES, values, strict=True)]


# --- LiveKit -------------------------------------------------------------------------------------
# The video provider's server: one node, its signalling API on LIVEKIT_PORT, media over one TCP and
# one UDP port on 127.0.0.1. Tests that need its webhooks start a private one (`PrivateLiveKit`),
# configured to post them to the test's own webhook.


def write_livekit_config(
    home: Path,
    port: int,
    rtc_tcp_port: int,
    rtc_udp_port: int,
    keys: dict[str, str] | None = None,
    webhook_urls: tuple[str, ...] = (),
) -> Path:
    home.mkdir(parents=True, exist_ok=True)
    lines = [
        "# Generated by deploy/local/infra.py on every start.",
        f"port: {port}",
        "rtc:",
        f"  tcp_port: {rtc_tcp_port}",
        f"  udp_port: {rtc_udp_port}",
        "  use_external_ip: false",
        "room:",
        "  auto_create: false  # only the rooms visitation opens for its visits",
    ]
    if keys:
        lines += ["keys:", *(f"  {key}: {secret}" for key, secret in keys.items())]
    if webhook_urls:
        lines += ["webhook:", f"  api_key: {next(iter(keys or {}))}", "  urls:"]
        lines += [f"    - {url}" for url in webhook_urls]
    config = home / "livekit.yaml"
    config.write_text("\n".join(lines) + "\n")
    return config


def livekit_command(config: Path, dev: bool) -> list[str]:
    if not os.access(LIVEKIT_BIN, os.X_OK):
        raise InfraError(f"livekit: {rel(LIVEKIT_BIN)} is missing: `make infra-up` builds it")
    mode = ["--dev"] if dev else []
    return [str(LIVEKIT_BIN), *mode, "--bind", HOST, "--node-ip", HOST, "--config", str(config)]


def livekit_answers(port: int = LIVEKIT_PORT) -> bool:
    try:
        with urllib.request.urlopen(f"http://{HOST}:{port}/", timeout=1.0) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


def livekit_up() -> None:
    address = f"{HOST}:{LIVEKIT_PORT}"
    marker = str(LIVEKIT_HOME)
    pid = running_pid(LIVEKIT_PID, marker)
    if pid is not None and livekit_answers():
        say("livekit", f"already running (pid {pid}) on {address}")
        return
    if pid is None:
        for port, env_var in (
            (LIVEKIT_PORT, "KINLINK_LIVEKIT_PORT"),
            (LIVEKIT_RTC_TCP_PORT, "KINLINK_LIVEKIT_RTC_TCP_PORT"),
        ):
            ensure_port_free("livekit", port, env_var)
        config = write_livekit_config(
            LIVEKIT_HOME, LIVEKIT_PORT, LIVEKIT_RTC_TCP_PORT, LIVEKIT_RTC_UDP_PORT
        )
        pid = spawn(livekit_command(config, dev=True), LIVEKIT_LOG, LIVEKIT_PID, STATE)
        say("livekit", f"started pid {pid}, log {rel(LIVEKIT_LOG)}")
    took = wait_until(
        "livekit",
        f"GET http://{address}/",
        livekit_answers,
        lambda: process_alive(pid, marker),
        LIVEKIT_START_TIMEOUT,
        LIVEKIT_LOG,
    )
    say("livekit", f"ready on {address} ({took:.1f}s)")


def livekit_down() -> None:
    stop_process("livekit", LIVEKIT_PID, str(LIVEKIT_HOME), grace=10.0)
    shutil.rmtree(LIVEKIT_HOME, ignore_errors=True)


class PrivateLiveKit:
    """A LiveKit server of its own with the given key, posting its webhooks to `webhook_urls`."""

    def __init__(
        self,
        home: Path,
        ports: tuple[int, int, int],
        key: str,
        secret: str,
        webhook_urls: tuple[str, ...],
    ) -> None:
        self.home, self.port = home, ports[0]
        self.api_key, self.api_secret = key, secret
        self.config = write_livekit_config(home, *ports, {key: secret}, webhook_urls)
        self.log, self.pid_file = home / "livekit.log", home / "livekit.pid"
        self.url = f"http://{HOST}:{self.port}"

    def start(self) -> None:
        pid = spawn(livekit_command(self.config, dev=False), self.log, self.pid_file, self.home)
        wait_until(
            "private livekit",
            self.url,
            lambda: livekit_answers(self.port),
            lambda: process_alive(pid, str(self.config)),
            LIVEKIT_START_TIMEOUT,
            self.log,
        )

    def stop(self) -> None:
        stop_process("private livekit", self.pid_file, str(self.config), grace=10.0)


# --- commands ---------------------------------------------------------------------------------


def run_concurrently(*steps: Callable[[], None]) -> list[InfraError]:
    with ThreadPoolExecutor(max_workers=len(steps)) as pool:
        futures = [pool.submit(step) for step in steps]
    failures = []
    for future in futures:
        try:
            future.result()
        except InfraError as error:
            failures.append(error)
    return failures


def report(failures: list[InfraError]) -> None:
    for error in failures:
        print(f"\nERROR {error}", file=sys.stderr)
        tail = log_tail(error.log) if error.log else ""
        if error.log and tail:
            print(f"--- last lines of {rel(error.log)} ---\n{tail}\n---", file=sys.stderr)


@dataclass(frozen=True)
class Part:
    up: Callable[[], None]
    down: Callable[[], None]
    variables: tuple[str, ...]  # its lines of .infra.env
    env: Callable[[], list[str]]  # ... with their values, once it is up
    running: Callable[[], bool]
    address: str


PARTS = {
    "kafka": Part(
        kafka_up,
        kafka_down,
        ("KINLINK_KAFKA_BOOTSTRAP",),
        lambda: [f"KINLINK_KAFKA_BOOTSTRAP={HOST}:{KAFKA_PORT}"],
        lambda: running_pid(KAFKA_PID, "kafka.Kafka") is not None and port_open(KAFKA_PORT),
        f"{HOST}:{KAFKA_PORT}",
    ),
    "postgres": Part(
        postgres_up,
        postgres_down,
        ("KINLINK_POSTGRES_DSN",),
        lambda: [f"KINLINK_POSTGRES_DSN=postgresql://postgres@{HOST}:{POSTGRES_PORT}/{{database}}"],
        lambda: pg_running(pg_home() / "data") and pg_isready(),
        f"{HOST}:{POSTGRES_PORT}",
    ),
    "stripe-mock": Part(
        stripe_mock_up,
        stripe_mock_down,
        ("KINLINK_STRIPE_API_BASE",),
        lambda: [f"KINLINK_STRIPE_API_BASE=http://{HOST}:{STRIPE_PORT}"],
        lambda: running_pid(STRIPE_PID, "stripe-mock") is not None and stripe_mock_answers(),
        f"{HOST}:{STRIPE_PORT}",
    ),
    "garage": Part(
        garage_up,
        garage_down,
        GARAGE_VARIABLES,
        garage_env,
        lambda: running_pid(GARAGE_PID, str(GARAGE_CONFIG)) is not None and garage_healthy(),
        f"{HOST}:{S3_PORT}",
    ),
    "livekit": Part(
        livekit_up,
        livekit_down,
        ("KINLINK_LIVEKIT_URL", "KINLINK_LIVEKIT_API_KEY", "KINLINK_LIVEKIT_API_SECRET"),
        lambda: [
            f"KINLINK_LIVEKIT_URL=http://{HOST}:{LIVEKIT_PORT}",
            f"KINLINK_LIVEKIT_API_KEY={LIVEKIT_DEV_KEY}",
            f"KINLINK_LIVEKIT_API_SECRET={LIVEKIT_DEV_SECRET}",
        ],
        lambda: running_pid(LIVEKIT_PID, str(LIVEKIT_HOME)) is not None and livekit_answers(),
        f"{HOST}:{LIVEKIT_PORT}",
    ),
}


def write_env(parts: list[str], lines: list[str]) -> None:
    """Put `lines` in .infra.env in place of the lines of `parts`, keeping the other parts'."""
    if ENV_FILE.exists():
        theirs = {name for part in parts for name in PARTS[part].variables}
        kept = [
            line
            for line in ENV_FILE.read_text().splitlines()
            if line.partition("=")[0] not in theirs
        ]
        lines = kept + lines
    if lines:
        ENV_FILE.write_text("\n".join(lines) + "\n")
    else:
        ENV_FILE.unlink(missing_ok=True)


def up(parts: list[str]) -> int:
    started = time.monotonic()
    LOGS.mkdir(parents=True, exist_ok=True)
    failures = run_concurrently(*(PARTS[part].up for part in parts))
    if failures:
        write_env(parts, [])
        report(failures)
        print(
            f"infra: up FAILED after {time.monotonic() - started:.1f}s; parts that started are "
            f"left running (stop them with: python3 {rel(Path(__file__).resolve())} down)",
            file=sys.stderr,
        )
        return 1
    lines = [line for part in parts for line in PARTS[part].env()]
    write_env(parts, lines)
    print(f"infra: ready in {time.monotonic() - started:.1f}s; wrote {rel(ENV_FILE)}:")
    print("\n".join(lines))
    return 0


def down(parts: list[str]) -> int:
    LOGS.mkdir(parents=True, exist_ok=True)
    failures = run_concurrently(*(PARTS[part].down for part in parts))
    write_env(parts, [])
    report(failures)
    return 1 if failures else 0


def status(parts: list[str]) -> int:
    for part in parts:
        print(f"{part}: {'up' if PARTS[part].running() else 'down'} ({PARTS[part].address})")
    return 0


def main(argv: list[str]) -> int:
    commands = {"up": up, "down": down, "status": status}
    if not argv or argv[0] not in commands or not set(argv[1:]) <= set(PARTS):
        print(
            f"usage: python3 {rel(Path(__file__).resolve())} up|down|status [{' '.join(PARTS)}]",
            file=sys.stderr,
        )
        return 2
    try:
        return commands[argv[0]](argv[1:] or list(PARTS))
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

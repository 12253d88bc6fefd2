"""CPU time per call, by group of processes (the answering replicas, the worker, PostgreSQL, Kafka,
the load driver), read from /proc from a quiet moment before a loop to one after it (so the work
the calls left queued, relaying and projecting, counts, and what came before does not): on a
machine whose cores the benchmark saturates, what a call costs each process is what bounds the
rate, and where a change moved work shows here first. The load driver shares the cores but is not
the platform: what the platform's own CPU per call allows on the machine's cores is said apart."""

from __future__ import annotations

import asyncio
import contextlib
import os
import time
from collections.abc import Callable
from collections.abc import Iterator
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path

import psycopg

TICKS_PER_SECOND = os.sysconf("SC_CLK_TCK")
CORES = os.cpu_count() or 1
Pids = Callable[[], list[int]]
# Groups measured beside the platform's services, never waited for by `quiet`: the broker's own
# background work never stops, and the load driver is the process waiting.
KAFKA = "Kafka"
LOAD_DRIVER = "load driver"


def cpu_seconds(pid: int) -> float:
    """User and system CPU the process has used so far (0 once it is gone)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return 0.0
    # After the command's closing parenthesis: state is field 3, utime 14 and stime 15.
    fields = stat.rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / TICKS_PER_SECOND


def postgres_server(dsn: str) -> Pids:
    """The server processes of the PostgreSQL cluster at `dsn` at the time of asking (backends
    come and go with connections), as the cluster itself lists them: not another cluster's on
    the same machine."""

    def pids() -> list[int]:
        with psycopg.connect(dsn, autocommit=True) as connection:
            return [row[0] for row in connection.execute("SELECT pid FROM pg_stat_activity")]

    return pids


@dataclass
class CpuUse:
    """CPU seconds each group of processes used between `measuring`'s start and end."""

    seconds: dict[str, float] = field(default_factory=dict)

    def per_call_ms(self, calls: int) -> str:
        """'answering 2.0 ms, worker 0.8 ms, ...': each group's CPU per call, then the platform's
        (all but the load driver) and the rate that allows on this machine's cores."""
        calls = max(calls, 1)
        groups = ", ".join(
            f"{group} {used / calls * 1000:.2f} ms" for group, used in self.seconds.items()
        )
        platform = sum(used for group, used in self.seconds.items() if group != LOAD_DRIVER)
        if LOAD_DRIVER not in self.seconds or not platform:
            return groups
        return (
            f"{groups}; the platform {platform / calls * 1000:.2f} ms in all, "
            f"{CORES * calls / platform:,.0f}/s on {CORES} cores of its own"
        )


@contextlib.contextmanager
def measuring(groups: Mapping[str, Pids]) -> Iterator[CpuUse]:
    """CPU used by each group while the block runs; a process that started meanwhile counts
    from its start, one that ended meanwhile is left out."""

    def snapshot() -> dict[str, dict[int, float]]:
        return {group: {pid: cpu_seconds(pid) for pid in pids()} for group, pids in groups.items()}

    use = CpuUse()
    before = snapshot()
    yield use
    after = snapshot()
    for group, now in after.items():
        use.seconds[group] = sum(
            seconds - before[group].get(pid, 0.0) for pid, seconds in now.items()
        )


async def quiet(groups: Mapping[str, Pids], *, timeout: float = 60.0) -> None:
    """Wait until the processes have done the work still queued (the worker relaying and
    projecting what came before): less than 5% of a core between them over half a second."""
    deadline = time.monotonic() + timeout
    waited = [pids for group, pids in groups.items() if group not in (KAFKA, LOAD_DRIVER)]
    while time.monotonic() < deadline:
        pids = [pid for group in waited for pid in group()]
        before = sum(cpu_seconds(pid) for pid in pids)
        await asyncio.sleep(0.5)
        if sum(cpu_seconds(pid) for pid in pids) - before < 0.025:
            return
    print(f"  (the processes measured were still busy after {timeout:.0f}s)", flush=True)

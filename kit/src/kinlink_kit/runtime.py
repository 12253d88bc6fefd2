"""Runs one or more services in a process: one gRPC server, one bus, their background tasks,
and a graceful shutdown on SIGTERM or SIGINT."""

from __future__ import annotations

import argparse
import asyncio
import gc
import signal
import sys
from collections.abc import Awaitable
from collections.abc import Callable
from collections.abc import Coroutine
from collections.abc import Mapping
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from dataclasses import field
from typing import Any
from typing import TypeVar

from kinlink_kit.auth import Authenticator
from kinlink_kit.auth import Role
from kinlink_kit.auth import TokenVerifier
from kinlink_kit.bus import Bus
from kinlink_kit.bus import KafkaBus
from kinlink_kit.bus import kafka_client_options
from kinlink_kit.grpc_server import GrpcServer
from kinlink_kit.logging import configure_logging
from kinlink_kit.logging import get_logger
from kinlink_kit.metrics import serve_metrics
from kinlink_kit.republish import republish_command
from kinlink_kit.schema import SchemaNotMigrated
from kinlink_kit.settings import ServiceSettings
from kinlink_kit.sqlite_bus import SQLiteBus

log = get_logger(__name__)


@dataclass
class GrpcService:
    full_name: str  # e.g. kinlink.ledger.v1.LedgerService
    servicer: object
    add_to_server: Callable[[Any, Any], None]


@dataclass
class ServiceParts:
    """What one service brings to a process."""

    name: str
    grpc: list[GrpcService]
    background: list[Callable[[], Coroutine[Any, Any, None]]] = field(default_factory=list)
    close: Callable[[], None] = lambda: None
    # Full gRPC method name -> the roles allowed (kinlink_kit.auth.PUBLIC: no token needed).
    # A method of `grpc` missing here is refused to everyone.
    access_policy: Mapping[str, frozenset[Role]] = field(default_factory=dict)
    # The largest request its calls accept (messages carry images); None: gRPC's 4 MB.
    max_request_bytes: int | None = None


def merged_access_policy(parts: list[ServiceParts]) -> dict[str, frozenset[Role]]:
    """Every part's policy in one; a method two parts disagree on is a wiring mistake."""
    merged: dict[str, frozenset[Role]] = {}
    for part in parts:
        for method, roles in part.access_policy.items():
            if merged.setdefault(method, roles) != roles:
                raise ValueError(f"{part.name} redefines who may call {method}")
    return merged


async def serve(
    parts: list[ServiceParts],
    bus: Bus,
    *,
    host: str,
    port: int,
    grace_seconds: float,
    token_verifier: TokenVerifier,
    worker_threads: int = 32,
    on_ready: Callable[[str], Awaitable[None] | None] | None = None,
    stop: asyncio.Event | None = None,
) -> None:
    """Serve until `stop` is set or a termination signal arrives, then drain and close.

    Every call is authenticated with `token_verifier` against the parts' access policies."""
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    # Use cases block on the event store; concurrent requests need threads to wait in.
    workers = ThreadPoolExecutor(worker_threads, thread_name_prefix="use-case")
    loop.set_default_executor(workers)
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    server = GrpcServer(
        host,
        port,
        [s.full_name for p in parts for s in p.grpc],
        authenticator=Authenticator(token_verifier, merged_access_policy(parts)),
        max_request_bytes=max((p.max_request_bytes or 0 for p in parts), default=0) or None,
    )
    for service in (s for p in parts for s in p.grpc):
        service.add_to_server(service.servicer, server.server)
    await bus.start()
    await server.start()
    tasks = [
        # Named for debugging: a function by its name, an elected job by its election's.
        asyncio.create_task(job(), name=getattr(job, "__qualname__", str(job)))
        for p in parts
        for job in p.background
    ]
    if on_ready is not None:
        ready = on_ready(server.address)
        if ready is not None:
            await ready
    await stop.wait()
    log.info("shutting down", grace_seconds=grace_seconds)
    await server.stop(grace_seconds)
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    await bus.stop()
    # A cancelled task does not stop the thread it waits on: those threads finish before the
    # stores they use are closed under them (SQLite crashes otherwise). The loop gets a fresh
    # default executor for whatever runs after us in it.
    loop.set_default_executor(ThreadPoolExecutor(thread_name_prefix="asyncio"))
    await loop.run_in_executor(None, workers.shutdown)
    for part in parts:
        part.close()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.remove_signal_handler(signum)
    log.info("stopped")


Settings = TypeVar("Settings", bound=ServiceSettings)


def service_bus(settings: ServiceSettings) -> Bus:
    """Kafka, signed in as the settings say, or without a bootstrap the SQLite bus in the
    service's data folder."""
    if settings.kafka_bootstrap:
        return KafkaBus(
            settings.kafka_bootstrap,
            client_id=settings.service_name,
            client_options=kafka_client_options(settings),
        )
    return SQLiteBus.in_folder(settings.data_dir)


def run_service(
    settings: Settings,
    start: Callable[[Settings, Bus], ServiceParts],
    create_tables: Callable[[Settings], None],
    argv: Sequence[str] | None = None,
) -> None:
    """The `main` of a service in its own process (distributed mode), by its command line:
    `serve` (the default), `migrate` (every table of its database(s) created with
    `create_tables`, then exit; decision 0085) or `republish --topic T [--after N]` (a topic
    published again from its store; decision 0092)."""
    configure_logging(settings.service_name, settings.log_level)
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] == ["republish"]:  # its own options: see kinlink_kit.republish
        sys.exit(republish_command(settings, start, args[1:]))
    parser = command_line(settings)
    command = parser.parse_args(args).command
    if command == "migrate":
        sys.exit(migrate(settings, create_tables))
    try:
        serve_service(settings, start)
    except SchemaNotMigrated as error:
        log.error(
            f"not migrated: run `{parser.prog} migrate` first",
            database=error.database,
            missing_tables=error.missing,
        )
        sys.exit(1)


def command_line(settings: ServiceSettings) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=f"kinlink-{settings.service_name}",  # its console script, whatever started it
        description=f"The Kinlink {settings.service_name} service.",
    )
    parser.add_argument(
        "command",
        nargs="?",
        default="serve",
        choices=["serve", "migrate"],
        help="serve (the default) until SIGTERM; migrate: create its tables and exit; "
        "republish --topic T [--after N]: publish a topic again from its store",
    )
    return parser


def migrate(settings: Settings, create_tables: Callable[[Settings], None]) -> int:
    """Create every table of the service's database(s), whatever KINLINK_CREATE_TABLES says;
    the exit status: 0 done (also when they were all there already), 1 failed."""
    try:
        create_tables(settings.model_copy(update={"create_tables": True}))
    except Exception:
        log.exception("migration failed")
        return 1
    log.info("migrated")
    return 0


def serve_service(settings: Settings, start: Callable[[Settings, Bus], ServiceParts]) -> None:
    """Logs, metrics, the bus its settings name (Kafka, or without a bootstrap the SQLite bus in
    its data folder), then `serve` until SIGTERM."""
    serve_metrics(settings.metrics_port, settings.metrics_host)
    verifier = settings.token_verifier()  # before anything opens: no keys, no service
    bus = service_bus(settings)
    parts = [start(settings, bus)]
    asyncio.run(
        serve(
            parts,
            bus,
            host=settings.grpc_host,
            port=settings.grpc_port,
            grace_seconds=settings.shutdown_grace_seconds,
            worker_threads=settings.worker_threads,
            token_verifier=verifier,
            on_ready=leave_the_start_out_of_collections,
        )
    )


def leave_the_start_out_of_collections(address: str) -> None:
    """What the process built to start (its modules, gRPC, the application) is moved out of
    the garbage collector's reach once it serves: a full collection of the heap held every call
    of a ledger replica for 130-190 ms under load, and most of what it scanned was that."""
    gc.collect()
    gc.freeze()
    log.info("start left out of collections", objects=gc.get_freeze_count(), address=address)

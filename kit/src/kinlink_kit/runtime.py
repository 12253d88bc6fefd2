"""Runs one or more services in a process: one gRPC server, one bus, their background tasks,
and a graceful shutdown on SIGTERM or SIGINT."""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Awaitable, Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from kinlink_kit.bus import Bus
from kinlink_kit.grpc_server import GrpcServer
from kinlink_kit.logging import get_logger

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


async def serve(
    parts: list[ServiceParts],
    bus: Bus,
    *,
    host: str,
    port: int,
    grace_seconds: float,
    worker_threads: int = 32,
    on_ready: Callable[[str], Awaitable[None] | None] | None = None,
    stop: asyncio.Event | None = None,
) -> None:
    """Serve until `stop` is set or a termination signal arrives, then drain and close."""
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    # Use cases block on the event store; concurrent requests need threads to wait in.
    loop.set_default_executor(ThreadPoolExecutor(worker_threads, thread_name_prefix="use-case"))
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    server = GrpcServer(host, port, [s.full_name for p in parts for s in p.grpc])
    for service in (s for p in parts for s in p.grpc):
        service.add_to_server(service.servicer, server.server)
    await bus.start()
    await server.start()
    tasks = [
        asyncio.create_task(job(), name=job.__qualname__) for p in parts for job in p.background
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
    for part in parts:
        part.close()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.remove_signal_handler(signum)
    log.info("stopped")

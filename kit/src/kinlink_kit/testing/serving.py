"""Running services in the test's own event loop as `kinlink_kit.runtime.serve` runs them, and
waiting for what they do."""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import AsyncIterator
from collections.abc import Awaitable
from collections.abc import Callable
from contextlib import asynccontextmanager

from kinlink_kit.auth import TokenVerifier
from kinlink_kit.bus import Bus
from kinlink_kit.runtime import ServiceParts
from kinlink_kit.runtime import serve


@asynccontextmanager
async def serving(
    parts: list[ServiceParts], bus: Bus, token_verifier: TokenVerifier, port: int = 0
) -> AsyncIterator[str]:
    """Serve on `port` (by default a free one); yields the gRPC address; shuts down gracefully
    on exit."""
    stop, ready = asyncio.Event(), asyncio.Future[str]()
    server = asyncio.create_task(
        serve(
            parts,
            bus,
            host="127.0.0.1",
            port=port,
            grace_seconds=1,
            token_verifier=token_verifier,
            on_ready=ready.set_result,
            stop=stop,
        )
    )
    try:
        yield await ready
    finally:
        stop.set()
        await server


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def eventually(check: Callable[[], Awaitable[bool]], timeout: float = 60.0) -> None:
    """Wait until `check` holds; fail with a clear message if it never does."""
    deadline = time.monotonic() + timeout
    while not await check():
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout}s: {check.__qualname__}")
        await asyncio.sleep(0.1)

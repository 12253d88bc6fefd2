"""Running services in the test's own event loop, the way `kinlink_kit.runtime.serve` runs them."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from kinlink_kit.bus import Bus
from kinlink_kit.runtime import ServiceParts, serve


@asynccontextmanager
async def serving(parts: list[ServiceParts], bus: Bus) -> AsyncIterator[str]:
    """Serve on a free port; yields the gRPC address; shuts down gracefully on exit."""
    stop, ready = asyncio.Event(), asyncio.Future[str]()
    server = asyncio.create_task(
        serve(
            parts,
            bus,
            host="127.0.0.1",
            port=0,
            grace_seconds=1,
            on_ready=ready.set_result,
            stop=stop,
        )
    )
    try:
        yield await ready
    finally:
        stop.set()
        await server

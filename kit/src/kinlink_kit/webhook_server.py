"""Serving a small ASGI app (a third party's webhook: Twilio's, LiveKit's) beside a service's
gRPC API, as one of the service's background jobs. The app authenticates its requests itself,
before anything is routed."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator

import uvicorn
from starlette.requests import Request
from starlette.types import ASGIApp

from kinlink_kit.logging import get_logger

log = get_logger(__name__)


class Refused(Exception):
    """A webhook request that is not the third party's, or not understood: it goes no
    further than its refusal (403 unless said otherwise), logged and counted by the app."""

    def __init__(self, reason: str, status_code: int = 403) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status_code = status_code


async def bounded_body(request: Request, max_bytes: int) -> bytes:
    """The request's body, refused (`too_large`, 413) once longer than `max_bytes`, before it
    is read whole."""
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > max_bytes:
            raise Refused("too_large", 413)
    return body


class _Server(uvicorn.Server):
    """uvicorn without its own signal handling: the process's runtime decides when it stops."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


class WebhookServer:
    """Serves `app` with uvicorn (`run`, a background job): until cancelled, then the requests
    in flight finish (within `grace_seconds`)."""

    def __init__(self, app: ASGIApp, host: str, port: int, grace_seconds: float) -> None:
        self._config = uvicorn.Config(
            app,
            host=host,
            port=port,
            log_config=None,  # our JSON logs, not uvicorn's
            access_log=False,
            lifespan="off",
            server_header=False,
            timeout_graceful_shutdown=max(1, int(grace_seconds)),
        )
        self.listening = asyncio.Event()

    async def run(self) -> None:
        server = _Server(self._config)
        serving = asyncio.create_task(server.serve())
        try:
            while not server.started:
                if serving.done():
                    await serving  # it could not start: say why
                    raise RuntimeError("the webhook stopped before it started")
                await asyncio.sleep(0.05)
            log.info("webhook listening", port=self._config.port)
            self.listening.set()
            await asyncio.shield(serving)
        finally:
            server.should_exit = True
            await serving

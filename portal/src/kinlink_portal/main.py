"""`kinlink-portal`: the web front end in its own process (distributed mode), and the server
the embedded mode runs beside its services."""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import Iterator

import uvicorn
from kinlink_kit.logging import configure_logging
from kinlink_kit.logging import get_logger
from kinlink_kit.metrics import serve_metrics
from starlette.applications import Starlette

from kinlink_portal.app import create_app
from kinlink_portal.settings import PortalSettings

log = get_logger(__name__)


class _Server(uvicorn.Server):
    """uvicorn without its own signal handling: whoever runs it decides when it stops."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


async def serve_portal(
    app: Starlette,
    host: str,
    port: int,
    stop: asyncio.Event,
    grace_seconds: float,
    started: asyncio.Future[str] | None = None,
    forwarded_allow_ips: str = "127.0.0.1",
) -> None:
    """Serve `app` until `stop` is set, then finish the requests in flight (up to
    `grace_seconds`). `started`, if given, gets the address once it listens."""
    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        log_config=None,  # our JSON logs, not uvicorn's
        access_log=False,
        timeout_graceful_shutdown=max(1, int(grace_seconds)),
        lifespan="on",
        proxy_headers=True,
        server_header=False,  # no need to tell the world what serves it
        forwarded_allow_ips=forwarded_allow_ips,
    )
    server = _Server(config)
    serving = asyncio.create_task(server.serve())
    while not server.started:
        if serving.done():
            await serving  # it failed to start: say why
            raise RuntimeError("the portal stopped before it started")
        await asyncio.sleep(0.05)
    bound = server.servers[0].sockets[0].getsockname()
    address = f"http://{bound[0]}:{bound[1]}"
    log.info("portal listening", address=address)
    if started is not None:
        started.set_result(address)
    await stop.wait()
    server.should_exit = True
    await serving


async def run(settings: PortalSettings) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    await serve_portal(
        create_app(settings),
        settings.http_host,
        settings.http_port,
        stop,
        settings.shutdown_grace_seconds,
        forwarded_allow_ips=settings.forwarded_allow_ips,
    )


def main() -> None:
    settings = PortalSettings()
    configure_logging(settings.service_name, settings.log_level)
    settings.checked_cookie_secret()  # before anything opens: no secret, no portal
    serve_metrics(settings.metrics_port, settings.metrics_host)
    asyncio.run(run(settings))


if __name__ == "__main__":
    main()

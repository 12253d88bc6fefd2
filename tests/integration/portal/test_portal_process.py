"""`kinlink-portal` in its own process (distributed mode): configured from the environment,
healthy once it listens, stopped gracefully by SIGTERM; it does not start without a cookie
secret."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import httpx
from kinlink_kit.testing import free_port

from tests.portal_web import csrf_of
from tests.portal_web import until_healthy

PORTAL = [sys.executable, "-m", "kinlink_portal.main"]


async def test_the_portal_serves_until_sigterm(tmp_path: Path) -> None:
    port, metrics_port = free_port(), free_port()
    env = {
        **os.environ,
        "KINLINK_HTTP_PORT": str(port),
        "KINLINK_METRICS_PORT": str(metrics_port),
        "KINLINK_COOKIE_SECRET": "s" * 40,
        "KINLINK_SECURE_COOKIES": "false",  # plain HTTP here
        "KINLINK_IDENTITY_TARGET": f"127.0.0.1:{free_port()}",  # nobody there: pages fail
    }
    log = tmp_path / "portal.log"
    with log.open("wb") as out:
        process = subprocess.Popen(PORTAL, env=env, stdout=out, stderr=out)
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:

            def running() -> None:
                assert process.poll() is None, log.read_text()

            await until_healthy(client, running)
            # Identity is unreachable: the visitor is told to come back, with a reference.
            token = csrf_of((await client.get("/log-in")).text)
            answer = await client.post(
                "/log-in", data={"email": "a@example.com", "password": "pw", "csrf_token": token}
            )
            assert answer.status_code == 503
            assert "server" not in answer.headers
            assert "not available right now" in answer.text
            metrics = httpx.get(f"http://127.0.0.1:{metrics_port}/metrics").text
            assert 'kinlink_http_seconds_count{method="POST",route="/log-in",status="503"} 1.0' in (
                metrics
            )
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0, log.read_text()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_the_portal_refuses_to_start_without_a_cookie_secret() -> None:
    env = {k: v for k, v in os.environ.items() if k != "KINLINK_COOKIE_SECRET"}
    env["KINLINK_HTTP_PORT"] = str(free_port())
    finished = subprocess.run(PORTAL, env=env, capture_output=True, timeout=60)
    assert finished.returncode != 0
    assert b"KINLINK_COOKIE_SECRET" in finished.stderr + finished.stdout

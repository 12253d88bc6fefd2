"""`make run` serves the web portal beside the services: the demo family logs in through it,
and identity's emails link to its pages."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
from kinlink_embedded import demo
from kinlink_embedded.main import EmbeddedSettings
from kinlink_embedded.main import run
from kinlink_kit.testing import free_port

from tests.portal_web import csrf_of
from tests.portal_web import until_healthy


async def test_the_demo_family_logs_in_to_the_portal_the_embedded_mode_serves(
    tmp_path: Path,
) -> None:
    settings = EmbeddedSettings(data_dir=tmp_path, grpc_port=free_port(), http_port=free_port())
    stop = asyncio.Event()
    platform = asyncio.create_task(run(settings, stop))
    try:
        async with httpx.AsyncClient(base_url=settings.portal_url) as browser:

            def running() -> None:
                assert not platform.done(), "the embedded platform stopped"

            await until_healthy(browser, running)
            token = csrf_of((await browser.get("/log-in")).text)
            logged_in = await browser.post(
                "/log-in",
                data={
                    "email": demo.FAMILY_EMAIL,
                    "password": demo.FAMILY_PASSWORD,
                    "csrf_token": token,
                },
            )
            assert logged_in.headers["location"] == "/account"
            account = await browser.get("/account")
            assert account.status_code == 200 and demo.FAMILY_EMAIL in account.text
            # The ledger answers the portal too: the demo's subscription, which paid the demo's
            # message (50 cents of $20.00), found in the sent folder messaging serves.
            subscription = await browser.get("/messaging")
            assert 'data-state="active"' in subscription.text and "$19.50" in subscription.text
            sent = await browser.get("/messages/sent")
            assert sent.status_code == 200 and sent.text.count("<tr data-message=") == 1
    finally:
        stop.set()
        await platform
    activation = next((tmp_path / "mail").glob("*.eml")).read_text()
    assert f"{settings.portal_url}/activate?token=" in activation

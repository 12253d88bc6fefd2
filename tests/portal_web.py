"""Talking to the portal as a plain HTTP client (no browser): waiting until it serves, and the
CSRF token its forms carry."""

from __future__ import annotations

import re
from collections.abc import Callable

import httpx
from kinlink_kit.testing import eventually


def csrf_of(page: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert match, "the page has no CSRF field"
    return match.group(1)


async def until_healthy(client: httpx.AsyncClient, still_running: Callable[[], None]) -> None:
    """Wait for /healthz to answer; `still_running` fails the test if the server died."""

    async def healthy() -> bool:
        still_running()
        try:
            return (await client.get("/healthz")).status_code == 200
        except httpx.TransportError:
            return False

    await eventually(healthy)

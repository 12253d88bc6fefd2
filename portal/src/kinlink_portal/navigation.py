"""Where a page sends the visitor next."""

from __future__ import annotations

from urllib.parse import urlencode

from starlette.responses import RedirectResponse


def see_other(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def with_notice(path: str, notice: str) -> RedirectResponse:
    """To `path`, which then says `notice` (a key of that page's notices)."""
    return see_other(f"{path}?{urlencode({'notice': notice})}")


def local_path(candidate: str, otherwise: str) -> str:
    """Where to go next: only a path on this site (never //elsewhere)."""
    if candidate.startswith("/") and not candidate.startswith("//") and "\\" not in candidate:
        return candidate
    return otherwise

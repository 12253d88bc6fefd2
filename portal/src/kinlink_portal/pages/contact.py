"""The Contact page: how to write to support (the address from KINLINK_SUPPORT_EMAIL), and the
reference code every unexpected-failure page shows, which lets support find what happened."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from kinlink_portal.rendering import render


async def contact(request: Request) -> Response:
    return render(request, "contact.html", support_email=request.app.state.support_email)


routes = [Route("/contact", contact)]

"""The Video Test: before the first visit, or when one goes wrong, a family member checks that
the browser may use the camera and microphone, sees their own picture and watches the
microphone's level move when they speak. Nothing leaves the browser; no account is needed."""

from __future__ import annotations

import uuid

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from kinlink_portal.rendering import render
from kinlink_portal.security import VIDEO_PERMISSIONS_POLICY

VIDEO_TEST_PATH = "/visits/video-test"


def video_page(request: Request, template: str, status: int = 200, **context: object) -> Response:
    """A page that uses the camera and microphone: the browser lets it ask for them."""
    response = render(request, template, status, **context)
    response.headers["permissions-policy"] = VIDEO_PERMISSIONS_POLICY
    return response


async def video_test(request: Request) -> Response:
    """`?visit=<id>`: opened from that visit's page, the test links back to it."""
    visit = request.query_params.get("visit", "")
    try:
        back = str(uuid.UUID(visit)) if visit else ""
    except ValueError:
        back = ""
    return video_page(request, "video_test.html", back=back)


routes = [Route(VIDEO_TEST_PATH, video_test)]

"""The simulated video room of the embedded mode (decision 0076): the visitation service's
simulated provider runs in the same process as the portal, so a connect page joins its room by
posting its join ticket's token here, as a LiveKit client would present it to LiveKit's server.
The provider then reports the join to visitation as LiveKit's webhook would."""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Protocol

from kinlink_kit.errors import ClientError
from kinlink_kit.logging import get_logger
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.responses import Response
from starlette.routing import Route

from kinlink_portal.pages.visit_parts import now_of

log = get_logger(__name__)


class SimulatedRoom(Protocol):
    """What the portal needs of the simulated provider: a participant joins with a token it
    issued (refused with a ClientError: unknown or expired token, room closed)."""

    def join(self, token: str, at: datetime) -> object: ...


async def join(request: Request) -> Response:
    """Joins the simulated room with the posted token (the page's CSRF token checked first);
    without a simulated provider (the distributed mode) there is no such room."""
    room: SimulatedRoom | None = request.app.state.video_room
    if room is None:
        raise HTTPException(404)
    token = str((await request.form()).get("token", ""))
    try:
        await asyncio.to_thread(room.join, token, now_of(request))
    except ClientError as refused:
        log.info("simulated room refused a join", code=refused.code)
        return JSONResponse({"refused": refused.code}, status_code=403)
    return JSONResponse({"joined": True})


routes = [Route("/video-room/join", join, methods=["POST"])]

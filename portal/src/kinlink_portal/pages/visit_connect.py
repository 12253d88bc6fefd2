"""Connecting to a visit: the join ticket the visitation service gives (from 5 minutes before
the start to the end; a remote visit needs a minute's credit), then the video room. With LiveKit
(the distributed mode) the page joins the room with LiveKit's browser client, served from our
own static files (decision 0075); with the simulated provider (the embedded mode) it shows the
camera and says the room is simulated. The station's kiosk, signed in as facility staff, joins
the other side from the console."""

from __future__ import annotations

from urllib.parse import urlsplit

from kinlink.visitation.v1 import visitation_pb2 as pb
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from kinlink_portal.pages.commissary_parts import named_one
from kinlink_portal.pages.console import facility_of
from kinlink_portal.pages.video_test import video_page
from kinlink_portal.pages.visit_parts import clock_for
from kinlink_portal.pages.visits import get_visit
from kinlink_portal.pages.visits import visit_words
from kinlink_portal.security import CONTENT_SECURITY_POLICY
from kinlink_portal.sentences import sentence
from kinlink_portal.services import Refusal
from kinlink_portal.services import services
from kinlink_portal.sessions import call_signed_in

LIVEKIT_SCHEMES = ("ws", "wss")
# LiveKit's browser client, pinned, fetched from npm by `make video-client` (decision 0075).
LIVEKIT_CLIENT = "/static/vendor/livekit-client.umd.js"


def provider_of(ticket: pb.JoinTicket) -> str:
    """`livekit` for a LiveKit server's address (ws:// or wss://), else `simulated`."""
    return "livekit" if urlsplit(ticket.url).scheme in LIVEKIT_SCHEMES else "simulated"


def room_policy(ticket: pb.JoinTicket) -> str:
    """Every page's CSP, the page also allowed to reach the LiveKit server of its ticket (its
    signalling WebSocket, and the HTTP check the client makes when that fails)."""
    where = urlsplit(ticket.url)
    http = "https" if where.scheme == "wss" else "http"
    reachable = f"connect-src 'self' {where.scheme}://{where.netloc} {http}://{where.netloc}"
    return CONTENT_SECURITY_POLICY.replace("connect-src 'self'", reachable)


async def room_page(request: Request, visit: pb.Visit, side: pb.Side, leave: str) -> Response:
    """The room for one `side` of `visit`, or why it cannot be joined now."""
    asked = pb.GetJoinTicketRequest(visit_id=visit.visit_id, side=side)
    ticket: pb.JoinTicket | None = None
    refused = ""
    try:
        ticket = await call_signed_in(request, services(request).visitation.GetJoinTicket, asked)
    except Refusal as refusal:
        if refusal.code in ("role_not_allowed", "facility_out_of_scope"):
            raise
        refused = refusal.code
    provider = provider_of(ticket) if ticket is not None else ""
    response = video_page(
        request,
        "visit_connect.html",
        400 if refused else 200,
        visit=visit,
        ticket=ticket,
        provider=provider,
        livekit_client=LIVEKIT_CLIENT,
        refused=refused,
        refusal=sentence(refused) if refused else "",
        station=side == pb.SIDE_STATION,
        leave=leave,
        words=visit_words(visit),
        clock=await clock_for(request, visit.facility_time_zone),
        **await named_one(request, visit),
    )
    if ticket is not None and provider == "livekit":
        response.headers["content-security-policy"] = room_policy(ticket)
    return response


async def connect(request: Request) -> Response:
    """The visitor's side: Connect to a Scheduled Call (or one just dialled)."""
    visit = await get_visit(request, request.path_params["visit_id"])
    return await room_page(request, visit, pb.SIDE_VISITOR, f"/visits/{visit.visit_id}")


async def station(request: Request) -> Response:
    """The resident's station, from the console of the facility's staff."""
    facility = await facility_of(request)
    visit = await get_visit(request, request.path_params["visit_id"])
    leave = f"/console/facilities/{facility.facility_id}/visits"
    return await room_page(request, visit, pb.SIDE_STATION, leave)


routes = [
    Route("/visits/{visit_id}/connect", connect),
    Route("/console/facilities/{facility_id}/visits/{visit_id}/station", station),
]

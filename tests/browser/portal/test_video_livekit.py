"""The connect page joins a real LiveKit room with LiveKit's browser client (the file `make
video-client` fetches): Chromium's fake camera and microphone published from the page, seen by
the resident's station joining the same room with LiveKit's Python SDK, over loopback with a
private LiveKit server. Visitation is a stand-in answering GetVisit and GetJoinTicket with a
ticket the server accepts; identity is real (the family member signs up and logs in)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
from google.protobuf.timestamp_pb2 import Timestamp
from kinlink.visitation.v1 import visitation_pb2 as pb
from kinlink.visitation.v1 import visitation_pb2_grpc
from kinlink_kit.testing import Infra
from kinlink_kit.testing import eventually
from kinlink_kit.testing import free_port
from livekit import api
from livekit import rtc
from playwright.async_api import Browser
from playwright.async_api import expect

from tests.browser.portal.conftest import Portal
from tests.browser.portal.conftest import browsing
from tests.browser.portal.conftest import serving_identity
from tests.browser.portal.conftest import serving_portal
from tests.conftest import ROOT
from tests.conftest import TokenKeys
from tests.livekit_server import joined
from tests.livekit_server import private_livekit
from tests.unit.cli.stand_in import StandIn
from tests.unit.cli.stand_in import served

LIVEKIT_CLIENT = ROOT / "portal/src/kinlink_portal/static/vendor/livekit-client.umd.js"
VISIT_ID = str(uuid.uuid4())


@pytest.fixture(scope="session")
def livekit_client() -> None:
    if not LIVEKIT_CLIENT.exists():
        pytest.fail(
            "LiveKit's browser client is missing: `make video-client` fetches it with npm; "
            "`make test` does it for you",
            pytrace=False,
        )


@pytest.fixture
async def livekit() -> AsyncIterator[Any]:
    """A private LiveKit server with the visit's room open, as visitation opens it (the server
    creates no room by itself)."""
    with private_livekit() as server:
        async with api.LiveKitAPI(server.url, server.api_key, server.api_secret) as rooms:
            await rooms.room.create_room(api.CreateRoomRequest(name=VISIT_ID, max_participants=2))
        yield server


def ticket(server: Any, identity: str) -> pb.JoinTicket:
    """A join ticket for the visit's room, as visitation's LiveKit adapter gives."""
    grants = api.VideoGrants(room_join=True, room=VISIT_ID)
    token = (
        api.AccessToken(server.api_key, server.api_secret)
        .with_identity(identity)
        .with_grants(grants)
        .to_jwt()
    )
    client_url = server.url.replace("http", "ws", 1)
    return pb.JoinTicket(
        visit_id=VISIT_ID, url=client_url, token=token, room=VISIT_ID, identity=identity
    )


async def test_the_connect_page_publishes_camera_and_microphone_to_the_livekit_room(
    browser: Browser,
    infra: Infra,
    fresh_database: str,
    token_keys: TokenKeys,
    axe_source: str,
    request: pytest.FixtureRequest,
    livekit_client: None,
    livekit: Any,
) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    now = Timestamp()
    now.GetCurrentTime()
    visit = pb.Visit(
        visit_id=VISIT_ID, facility_id="FAC-DEMO", resident_id="R-1001", station=1,
        kind=pb.VISIT_KIND_IN_FACILITY, starts_at=now,
        ends_at=Timestamp(seconds=now.seconds + 900), facility_time_zone="America/Chicago",
        status=pb.VISIT_STATUS_SCHEDULED,
    )  # fmt: skip
    with served(
        visitation_pb2_grpc.VisitationServiceServicer,
        visitation_pb2_grpc.add_VisitationServiceServicer_to_server,
    ) as (visitation, visitation_address):
        answer(visitation, visit, ticket(livekit, "visitor"))
        async with (
            serving_identity(infra, fresh_database, token_keys, url) as (address, mailer),
            serving_portal(address, port, visitation_address=visitation_address),
            browsing(browser, Portal(url, mailer, address), axe_source, request) as family,
        ):
            await family.become_family_member("rosa.livekit@example.com", "a long password")
            await family.open(f"/visits/{VISIT_ID}/connect")
            page = family.page
            await expect(page.locator("[data-room]")).to_have_attribute("data-provider", "livekit")
            await expect(page.locator("[data-room-state]")).to_have_attribute(
                "data-room-state", "connected", timeout=30_000
            )
            station = ticket(livekit, "station")
            async with joined(station.url, station.token) as room:

                async def sees_camera_and_microphone() -> bool:
                    visitor = room.remote_participants.get("visitor")
                    kinds = (
                        {p.kind for p in visitor.track_publications.values()} if visitor else set()
                    )
                    return kinds == {rtc.TrackKind.KIND_VIDEO, rtc.TrackKind.KIND_AUDIO}

                await eventually(sees_camera_and_microphone, timeout=30)
                await expect(page.locator("[data-other-side]")).to_have_attribute(
                    "data-other-side", "here"
                )
            await expect(page.locator("[data-other-side]")).to_have_attribute(
                "data-other-side", "away"
            )
            await family.check_accessibility("main")


def answer(visitation: StandIn, visit: pb.Visit, visitor_ticket: pb.JoinTicket) -> None:
    visitation.answers["GetVisit"] = visit
    visitation.answers["GetJoinTicket"] = visitor_ticket

"""A video visit connected for real: visitation served with LiveKit as its provider (a private
server of the test's own posting its signed webhooks to visitation's webhook), both sides
joining with the tickets GetJoinTicket gave them over loopback, the visitor publishing a
microphone tone. The webhooks start the visit (CallStarted), the station leaving interrupts it
on our side, and the adapter removes the visitor from the room.

LiveKit checks its tokens against the real time, so this test's visit is booked around now."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from typing import Any
from uuid import uuid4

import grpc
import pytest
from kinlink.visitation.v1 import visitation_pb2 as pb
from kinlink.visitation.v1 import visitation_pb2_grpc
from kinlink_contracts.topics import VISITATION_EVENTS
from kinlink_kit.auth import Role
from kinlink_kit.bus import InMemoryBus
from kinlink_kit.testing import STORAGES
from kinlink_kit.testing import eventually
from kinlink_kit.testing import free_port
from kinlink_kit.testing import serving
from kinlink_kit.testing import settings_on
from kinlink_visitation.adapters.livekit_settings import LIVEKIT_WEBHOOK_ROUTE
from kinlink_visitation.bootstrap import VisitationSettings
from kinlink_visitation.bootstrap import build_visitation
from kinlink_visitation.bootstrap import visitation_service
from kinlink_visitation.domain.ids import visit_key
from kinlink_visitation.domain.visit import Side
from kinlink_visitation.domain.visit import Visit
from kinlink_visitation.domain.visit import VisitStatus
from kinlink_visitation.service_layer.visitation import Visitation
from livekit import rtc

from tests.conftest import TokenKeys
from tests.conftest import bearer
from tests.livekit_server import joined
from tests.livekit_server import private_livekit
from tests.livekit_server import publish_tone
from tests.visitation_money import MemoryWallet
from tests.visitation_visits import FACILITY
from tests.visitation_visits import booked_visit


@dataclass
class Served:
    visitation: Visitation
    stub: visitation_pb2_grpc.VisitationServiceStub
    bus: InMemoryBus
    token_keys: TokenKeys

    async def booked_with_tickets(self) -> tuple[Visit, pb.JoinTicket, pb.JoinTicket]:
        """A visit that started a minute ago, and its visitor's and station's tickets."""
        visit = booked_visit(self.visitation, datetime.now(UTC) - timedelta(minutes=1))
        officer = self.token_keys.token(str(uuid4()), Role.FACILITY_OFFICER, facilities=[FACILITY])
        tickets = [
            await self.stub.GetJoinTicket(
                pb.GetJoinTicketRequest(visit_id=str(visit.visit_id), side=side),
                metadata=metadata,
            )
            for side, metadata in (
                (pb.SIDE_VISITOR, self.token_keys.family(str(visit.account_id))),
                (pb.SIDE_STATION, bearer(officer)),
            )
        ]
        visitor, station = tickets
        return visit, visitor, station


@pytest.fixture(params=STORAGES)
async def served(request: pytest.FixtureRequest, token_keys: TokenKeys) -> AsyncIterator[Served]:
    port = free_port()
    with private_livekit(f"http://127.0.0.1:{port}{LIVEKIT_WEBHOOK_ROUTE}") as server:
        settings = settings_on(
            request,
            VisitationSettings,
            kafka_bootstrap=None,
            livekit_url=server.url,
            livekit_api_key=server.api_key,
            livekit_api_secret=server.api_secret,
            video_webhook_port=port,
        )
        wallet = MemoryWallet(unlimited=True)
        visitation, bus = build_visitation(settings, wallet=wallet), InMemoryBus()
        parts = [visitation_service(settings, bus, visitation)]
        async with (
            serving(parts, bus, token_keys.verifier()) as address,
            grpc.aio.insecure_channel(address) as channel,
        ):
            await eventually(_listening(port), 30)
            stub = visitation_pb2_grpc.VisitationServiceStub(channel)
            yield Served(visitation, stub, bus, token_keys)
        visitation.close()


async def test_two_sides_connect_for_real_and_the_signed_webhooks_drive_the_visit(
    served: Served,
) -> None:
    visitation = served.visitation
    visit, visitor, station = await served.booked_with_tickets()

    async with joined(visitor.url, visitor.token) as visitor_room:
        microphone = await publish_tone(visitor_room)
        async with joined(station.url, station.token) as station_room:
            await eventually(_status(visitation, visit, VisitStatus.IN_PROGRESS), 30)
            await eventually(_hears(station_room, microphone.sid), 30)
        await eventually(_status(visitation, visit, VisitStatus.INTERRUPTED), 30)
        visitor_gone = asyncio.Event()
        visitor_room.on("disconnected", lambda *_: visitor_gone.set())

        await asyncio.to_thread(visitation.rooms.remove, visit.visit_id, Side.VISITOR)

        await asyncio.wait_for(visitor_gone.wait(), 30)
        await eventually(_present(visitation, visit, Side.VISITOR, False), 30)

    events = list(visitation.store.repository.event_store.get(visit_key(visit.visit_id)))
    names = [type(event).__name__ for event in events]
    assert names == ["Scheduled", "Joined", "Started", "Interrupted", "Left"]
    assert (events[3].side, events[3].ours) == ("station", True)
    await eventually(_published(served.bus, "CallInterrupted"), 30)
    published = [json.loads(m.value)["type"] for m in served.bus.topics[VISITATION_EVENTS]]
    assert published[:3] == ["CallScheduled", "CallStarted", "CallInterrupted"]


def _status(visitation: Visitation, visit: Visit, status: VisitStatus) -> Callable[[], Any]:
    async def check() -> bool:
        found = visitation.find(visit_key(visit.visit_id), Visit, to_change=False)
        return found is not None and found.status is status

    check.__qualname__ = f"visit {status.value}"
    return check


def _present(visitation: Visitation, visit: Visit, side: Side, present: bool) -> Callable[[], Any]:
    async def check() -> bool:
        found = visitation.find(visit_key(visit.visit_id), Visit, to_change=False)
        return found is not None and found.presence[side] is present

    check.__qualname__ = f"{side.value} present {present}"
    return check


def _hears(room: rtc.Room, track_sid: str) -> Callable[[], Any]:
    async def check() -> bool:
        visitor = room.remote_participants.get(Side.VISITOR.value)
        return visitor is not None and track_sid in visitor.track_publications

    check.__qualname__ = "the station sees the visitor's microphone"
    return check


def _published(bus: InMemoryBus, event_type: str) -> Callable[[], Any]:
    async def check() -> bool:
        return any(json.loads(m.value)["type"] == event_type for m in bus.topics[VISITATION_EVENTS])

    check.__qualname__ = f"{event_type} published"
    return check


def _listening(port: int) -> Callable[[], Any]:
    async def check() -> bool:
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
        except OSError:
            return False
        writer.close()
        return True

    check.__qualname__ = f"the video webhook on {port}"
    return check


async def test_a_visitor_who_reloads_the_page_never_left_the_visit(served: Served) -> None:
    visitation = served.visitation
    visit, visitor, station = await served.booked_with_tickets()

    async with joined(visitor.url, visitor.token) as first_page:
        replaced = asyncio.Event()
        first_page.on("disconnected", lambda *_: replaced.set())
        async with joined(station.url, station.token) as station_room:
            await eventually(_status(visitation, visit, VisitStatus.IN_PROGRESS), 30)
            async with joined(visitor.url, visitor.token):  # the page again, same ticket
                await asyncio.wait_for(replaced.wait(), 30)
                # Reported after the replaced page's leave: the first interruption.
                await station_room.disconnect()
                await eventually(_status(visitation, visit, VisitStatus.INTERRUPTED), 30)
                events = list(
                    visitation.store.repository.event_store.get(visit_key(visit.visit_id))
                )

    assert [type(event).__name__ for event in events] == [
        "Scheduled",
        "Joined",
        "Started",
        "Interrupted",
    ]
    assert events[3].side == "station"

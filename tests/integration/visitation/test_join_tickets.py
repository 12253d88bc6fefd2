"""GetJoinTicket over gRPC, and the provider's reports of the room recorded on the visit, with
the simulated provider, on SQLite and PostgreSQL: a side gets a ticket to its own visit's room
from 5 minutes before it starts to its end; the room's joins and leaves start, interrupt and
resume the visit as the webhooks would."""

from __future__ import annotations

from collections.abc import AsyncIterator
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from uuid import uuid4

import grpc
import pytest
from kinlink.visitation.v1 import visitation_pb2 as pb
from kinlink.visitation.v1 import visitation_pb2_grpc
from kinlink_kit.auth import Role
from kinlink_kit.bus import InMemoryBus
from kinlink_kit.testing import STORAGES
from kinlink_kit.testing import Clock
from kinlink_kit.testing import eventually
from kinlink_kit.testing import refused_over_grpc
from kinlink_kit.testing import serving
from kinlink_kit.testing import settings_on
from kinlink_visitation.adapters.simulated_rooms import SIMULATED_URL
from kinlink_visitation.adapters.simulated_rooms import SimulatedRooms
from kinlink_visitation.bootstrap import VisitationSettings
from kinlink_visitation.bootstrap import build_visitation
from kinlink_visitation.bootstrap import visitation_service
from kinlink_visitation.domain.ids import visit_key
from kinlink_visitation.domain.video import RoomChange
from kinlink_visitation.domain.video import RoomReport
from kinlink_visitation.domain.video import VideoUnavailable
from kinlink_visitation.domain.visit import CancelledBy
from kinlink_visitation.domain.visit import Side
from kinlink_visitation.domain.visit import Visit
from kinlink_visitation.domain.visit import VisitStatus
from kinlink_visitation.service_layer.room_reports import record_room_report
from kinlink_visitation.service_layer.visitation import Visitation
from structlog.testing import capture_logs

from tests.conftest import Metadata
from tests.conftest import TokenKeys
from tests.conftest import bearer
from tests.visitation_money import MemoryWallet
from tests.visitation_visits import FACILITY
from tests.visitation_visits import booked_visit

NOT_FOUND, FAILED, INVALID = (
    grpc.StatusCode.NOT_FOUND,
    grpc.StatusCode.FAILED_PRECONDITION,
    grpc.StatusCode.INVALID_ARGUMENT,
)


@pytest.fixture(params=STORAGES)
def visitation_settings(request: pytest.FixtureRequest) -> VisitationSettings:
    return settings_on(request, VisitationSettings, kafka_bootstrap=None, livekit_url=None)


@pytest.fixture
def rooms(clock: Clock) -> SimulatedRooms:
    return SimulatedRooms(clock, retry_seconds=0.05)


@pytest.fixture
def visitation(
    visitation_settings: VisitationSettings, rooms: SimulatedRooms, clock: Clock
) -> Iterator[Visitation]:
    visitation = build_visitation(
        visitation_settings, wallet=MemoryWallet(unlimited=True), rooms=rooms
    )
    visitation.clock = clock
    yield visitation
    visitation.close()


@dataclass
class Served:
    stub: visitation_pb2_grpc.VisitationServiceStub
    visitation: Visitation
    token_keys: TokenKeys

    async def ticket(
        self, visit: Visit, side: pb.Side.ValueType, metadata: Metadata
    ) -> pb.JoinTicket:
        request = pb.GetJoinTicketRequest(visit_id=str(visit.visit_id), side=side)
        return await self.stub.GetJoinTicket(request, metadata=metadata)

    def visitor(self, visit: Visit) -> Metadata:
        return self.token_keys.family(str(visit.account_id))

    def officer(self, facility: str = FACILITY) -> Metadata:
        token = self.token_keys.token(str(uuid4()), Role.FACILITY_OFFICER, facilities=[facility])
        return bearer(token)

    def visit(self, visit: Visit) -> Visit:
        found = self.visitation.find(visit_key(visit.visit_id), Visit, to_change=False)
        assert found is not None
        return found


@pytest.fixture
async def served(
    visitation: Visitation, visitation_settings: VisitationSettings, token_keys: TokenKeys
) -> AsyncIterator[Served]:
    bus = InMemoryBus()
    parts = [visitation_service(visitation_settings, bus, visitation)]
    async with (
        serving(parts, bus, token_keys.verifier()) as address,
        grpc.aio.insecure_channel(address) as channel,
    ):
        yield Served(visitation_pb2_grpc.VisitationServiceStub(channel), visitation, token_keys)


async def test_each_side_gets_a_ticket_to_the_visits_room_valid_for_its_window(
    served: Served, rooms: SimulatedRooms, clock: Clock
) -> None:
    visit = booked_visit(served.visitation, clock.now + timedelta(minutes=5))

    visitor = await served.ticket(visit, pb.SIDE_VISITOR, served.visitor(visit))
    station = await served.ticket(visit, pb.SIDE_STATION, served.officer())

    assert (visitor.visit_id, visitor.room, visitor.url) == (
        str(visit.visit_id),
        str(visit.visit_id),
        SIMULATED_URL,
    )
    assert (visitor.identity, station.identity) == ("visitor", "station")
    assert visitor.valid_from.ToDatetime().replace(tzinfo=clock.now.tzinfo) == clock.now
    assert visitor.valid_until.ToDatetime().replace(tzinfo=clock.now.tzinfo) == visit.ends_at
    assert visitor.token != station.token
    assert rooms.is_open(visit.visit_id)


@pytest.mark.parametrize(
    ("starts_in", "open"),
    [
        (timedelta(minutes=5, seconds=1), False),  # more than 5 minutes before
        (timedelta(minutes=5), True),
        (timedelta(minutes=-29, seconds=-59), True),  # its last second
        (timedelta(minutes=-30), False),  # over
    ],
)
async def test_a_visit_opens_5_minutes_before_it_starts_and_closes_at_its_end(
    served: Served, clock: Clock, starts_in: timedelta, open: bool
) -> None:
    visit = booked_visit(served.visitation, clock.now + starts_in)
    asking = served.ticket(visit, pb.SIDE_VISITOR, served.visitor(visit))

    if open:
        assert (await asking).room == str(visit.visit_id)
    else:
        await refused_over_grpc(asking, FAILED, "visit_not_open")


async def test_a_cancelled_visit_is_not_open(served: Served, clock: Clock) -> None:
    visit = booked_visit(served.visitation, clock.now)
    visit.cancel(CancelledBy.FACILITY, "lockdown", clock.now)
    served.visitation.store.save(visit)

    await refused_over_grpc(
        served.ticket(visit, pb.SIDE_STATION, served.officer()), FAILED, "visit_not_open"
    )


async def test_only_the_visitor_and_the_facilitys_staff_may_join(
    served: Served, clock: Clock
) -> None:
    visit = booked_visit(served.visitation, clock.now)
    someone_else = served.token_keys.family(str(uuid4()))

    for side, metadata in (
        (pb.SIDE_VISITOR, someone_else),
        (pb.SIDE_VISITOR, served.officer()),  # staff are the station's side
        (pb.SIDE_STATION, served.visitor(visit)),
        (pb.SIDE_STATION, served.officer("FAC-EAST")),
    ):
        await refused_over_grpc(
            served.ticket(visit, side, metadata), NOT_FOUND, "visit_not_found", "visit_id"
        )


async def test_a_request_naming_no_side_or_no_visit_is_refused_with_its_field(
    served: Served, clock: Clock
) -> None:
    visit = booked_visit(served.visitation, clock.now)
    metadata = served.visitor(visit)

    await refused_over_grpc(
        served.ticket(visit, pb.SIDE_UNSPECIFIED, metadata), INVALID, "side_invalid", "side"
    )
    request = pb.GetJoinTicketRequest(visit_id="not-a-visit", side=pb.SIDE_VISITOR)
    await refused_over_grpc(
        served.stub.GetJoinTicket(request, metadata=metadata),
        INVALID,
        "visit_id_invalid",
        "visit_id",
    )
    request = pb.GetJoinTicketRequest(visit_id=str(uuid4()), side=pb.SIDE_VISITOR)
    await refused_over_grpc(
        served.stub.GetJoinTicket(request, metadata=metadata),
        NOT_FOUND,
        "visit_not_found",
        "visit_id",
    )


async def test_the_rooms_reports_start_interrupt_and_resume_the_visit(
    served: Served, rooms: SimulatedRooms, clock: Clock
) -> None:
    visit = booked_visit(served.visitation, clock.now)
    visitor = await served.ticket(visit, pb.SIDE_VISITOR, served.visitor(visit))
    station = await served.ticket(visit, pb.SIDE_STATION, served.officer())

    rooms.join(visitor.token, clock.now + timedelta(seconds=5))
    rooms.join(station.token, clock.now + timedelta(seconds=9))
    await eventually(status_is(served, visit, VisitStatus.IN_PROGRESS))
    rooms.leave(visit.visit_id, Side.STATION, clock.now + timedelta(seconds=69))
    await eventually(status_is(served, visit, VisitStatus.INTERRUPTED))
    rooms.join(station.token, clock.now + timedelta(seconds=80))
    await eventually(status_is(served, visit, VisitStatus.IN_PROGRESS))

    connected = served.visit(visit)
    assert connected.started_at == clock.now + timedelta(seconds=9)
    assert (connected.interruptions, connected.connected_seconds) == (1, 60.0)
    events = list(served.visitation.store.repository.event_store.get(connected.id))
    names = [type(event).__name__ for event in events]
    assert names == ["Scheduled", "Joined", "Started", "Interrupted", "Resumed"]
    assert (events[3].side, events[3].ours) == ("station", True)  # the facility's side


@pytest.mark.parametrize("room", ["not-a-visit", "6b0f3f5e-2c1d-4a8e-9f7b-3d2e1c0b9a88"])
def test_a_report_of_a_room_that_is_no_visit_is_logged_and_dropped(
    visitation: Visitation, clock: Clock, room: str
) -> None:
    report = RoomReport(room, RoomChange.JOINED, clock.now, Side.VISITOR)

    with capture_logs() as logs:
        record_room_report(visitation, report)

    assert logs[-1]["event"] == "video room of no visit"


def status_is(served: Served, visit: Visit, status: VisitStatus) -> object:
    async def check() -> bool:
        return served.visit(visit).status is status

    check.__qualname__ = f"visit {status.value}"
    return check


async def test_a_provider_out_of_reach_is_unavailable_and_may_be_asked_again(
    served: Served, rooms: SimulatedRooms, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    visit = booked_visit(served.visitation, clock.now)

    def unreachable(visit_id: object, closes_at: object) -> None:
        raise VideoUnavailable()

    with monkeypatch.context() as patched:
        patched.setattr(rooms, "open_room", unreachable)
        await refused_over_grpc(
            served.ticket(visit, pb.SIDE_VISITOR, served.visitor(visit)),
            grpc.StatusCode.UNAVAILABLE,
            "video_unavailable",
        )

    assert (await served.ticket(visit, pb.SIDE_VISITOR, served.visitor(visit))).token


async def test_a_room_closed_under_a_visit_takes_both_sides_out_on_our_side(
    served: Served, rooms: SimulatedRooms, clock: Clock
) -> None:
    visit = booked_visit(served.visitation, clock.now)
    for side, metadata in (
        (pb.SIDE_VISITOR, served.visitor(visit)),
        (pb.SIDE_STATION, served.officer()),
    ):
        rooms.join((await served.ticket(visit, side, metadata)).token, clock.now)
    await eventually(status_is(served, visit, VisitStatus.IN_PROGRESS))

    clock.now += timedelta(minutes=2)
    rooms.close_room(visit.visit_id)  # as the provider does on its own

    await eventually(nobody_present(served, visit))
    closed = served.visit(visit)
    assert (closed.status, closed.interruptions) == (VisitStatus.INTERRUPTED, 1)
    assert closed.connected_seconds == 120.0
    events = list(served.visitation.store.repository.event_store.get(closed.id))
    assert [(type(e).__name__, getattr(e, "ours", None)) for e in events[-2:]] == [
        ("Interrupted", True),  # the station first, then the visitor
        ("Left", None),
    ]


def nobody_present(served: Served, visit: Visit) -> object:
    async def check() -> bool:
        return not served.visit(visit).anyone_present

    check.__qualname__ = "nobody in the room"
    return check

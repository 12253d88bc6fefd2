"""The simulated video provider keeps LiveKit's rules that visitation relies on: a token joins
only its room within its window, and every join and leave is reported once, with whose doing
a leave was."""

from __future__ import annotations

import asyncio
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from uuid import UUID

import pytest
from kinlink_kit.errors import Unavailable
from kinlink_kit.testing import Clock
from kinlink_visitation.adapters.simulated_rooms import SimulatedRooms
from kinlink_visitation.adapters.simulated_rooms import TokenRefused
from kinlink_visitation.domain.video import RoomChange
from kinlink_visitation.domain.video import RoomReport
from kinlink_visitation.domain.visit import Side

VISIT_ID = UUID("3a1d7f0e-5c2b-4e98-a6d4-0f9b8c7e6d51")
ROOM = str(VISIT_ID)
OPENS = datetime(2027, 3, 14, 15, 55, tzinfo=UTC)
ENDS = OPENS + timedelta(minutes=35)


@pytest.fixture
def clock() -> Clock:
    return Clock(OPENS + timedelta(minutes=10))


@pytest.fixture
def rooms(clock: Clock) -> SimulatedRooms:
    rooms = SimulatedRooms(clock)
    rooms.open_room(VISIT_ID, ENDS)
    return rooms


def test_both_sides_join_with_their_tokens_and_are_reported_once(rooms: SimulatedRooms) -> None:
    visitor = rooms.ticket(VISIT_ID, Side.VISITOR, OPENS, ENDS)
    station = rooms.ticket(VISIT_ID, Side.STATION, OPENS, ENDS)
    at = OPENS + timedelta(minutes=6)

    rooms.join(visitor.token, at)
    rooms.join(visitor.token, at + timedelta(seconds=1))  # a second tab: already in
    rooms.join(station.token, at + timedelta(seconds=2))

    assert rooms.present(VISIT_ID) == {Side.VISITOR, Side.STATION}
    assert rooms.reports_waiting() == [
        RoomReport(ROOM, RoomChange.JOINED, at, Side.VISITOR),
        RoomReport(ROOM, RoomChange.JOINED, at + timedelta(seconds=2), Side.STATION),
    ]
    assert (visitor.identity, visitor.room, visitor.valid_until) == ("visitor", ROOM, ENDS)


@pytest.mark.parametrize(
    ("token", "at", "why"),
    [
        ("sim-forged", OPENS, "unknown token"),
        (None, OPENS - timedelta(seconds=1), "not valid now"),
        (None, ENDS, "not valid now"),
    ],
)
def test_a_token_joins_only_within_its_window(
    rooms: SimulatedRooms, token: str | None, at: datetime, why: str
) -> None:
    ticket = rooms.ticket(VISIT_ID, Side.VISITOR, OPENS, ENDS)

    with pytest.raises(TokenRefused, match=why):
        rooms.join(token or ticket.token, at)
    assert rooms.reports_waiting() == []


def test_a_closed_room_refuses_its_tokens(rooms: SimulatedRooms) -> None:
    ticket = rooms.ticket(VISIT_ID, Side.VISITOR, OPENS, ENDS)
    rooms.close_room(VISIT_ID)

    with pytest.raises(TokenRefused, match="no such room"):
        rooms.join(ticket.token, OPENS)


def test_a_leave_says_whose_doing_it_was(rooms: SimulatedRooms) -> None:
    visitor = rooms.ticket(VISIT_ID, Side.VISITOR, OPENS, ENDS)
    station = rooms.ticket(VISIT_ID, Side.STATION, OPENS, ENDS)
    at = OPENS + timedelta(minutes=6)
    rooms.join(visitor.token, at)
    rooms.join(station.token, at)
    rooms.reports_waiting()

    rooms.leave(VISIT_ID, Side.VISITOR, at + timedelta(minutes=1))  # hung up
    rooms.leave(VISIT_ID, Side.VISITOR, at + timedelta(minutes=2))  # gone already: nothing
    rooms.join(visitor.token, at + timedelta(minutes=3))
    rooms.drop(VISIT_ID, Side.VISITOR, at + timedelta(minutes=4))  # the provider lost them
    rooms.leave(VISIT_ID, Side.STATION, at + timedelta(minutes=5))  # the facility's side

    assert [(r.change, r.side, r.ours) for r in rooms.reports_waiting()] == [
        (RoomChange.LEFT, Side.VISITOR, False),
        (RoomChange.JOINED, Side.VISITOR, False),
        (RoomChange.LEFT, Side.VISITOR, True),
        (RoomChange.LEFT, Side.STATION, True),
    ]


def test_removing_and_closing_take_everyone_out_by_our_doing(
    rooms: SimulatedRooms, clock: Clock
) -> None:
    for side in Side:
        rooms.join(rooms.ticket(VISIT_ID, side, OPENS, ENDS).token, OPENS)
    rooms.reports_waiting()

    rooms.remove(VISIT_ID, Side.VISITOR)
    rooms.remove(VISIT_ID, Side.VISITOR)  # gone already: nothing
    rooms.close_room(VISIT_ID)
    rooms.close_room(VISIT_ID)  # gone already: nothing

    assert rooms.reports_waiting() == [
        RoomReport(ROOM, RoomChange.LEFT, clock.now, Side.VISITOR, ours=True),
        RoomReport(ROOM, RoomChange.LEFT, clock.now, Side.STATION, ours=True),
        RoomReport(ROOM, RoomChange.FINISHED, clock.now),
    ]
    assert not rooms.is_open(VISIT_ID)


async def test_the_reporting_job_hands_reports_on_and_again_when_refused() -> None:
    handed: list[RoomReport] = []
    refusals = [Unavailable("store_unavailable", "down")]

    def report(change: RoomReport) -> None:
        if refusals:
            raise refusals.pop()
        handed.append(change)

    rooms = SimulatedRooms(retry_seconds=0.01)
    rooms.open_room(VISIT_ID, ENDS)
    rooms.join(rooms.ticket(VISIT_ID, Side.VISITOR, OPENS, ENDS).token, OPENS)
    job = asyncio.create_task(rooms.reporting(report)())
    try:
        while not handed:
            assert not job.done()
            await asyncio.sleep(0.01)
    finally:
        job.cancel()
        await asyncio.gather(job, return_exceptions=True)

    assert handed == [RoomReport(ROOM, RoomChange.JOINED, OPENS, Side.VISITOR)]

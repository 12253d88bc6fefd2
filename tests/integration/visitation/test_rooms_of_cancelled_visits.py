"""A cancelled visit's room is closed with it: whoever already waited in it (a visit opens 5
minutes before its start) is taken out, and no one talks on in a visit that no longer counts,
even when a join ticket raced the cancel."""

from __future__ import annotations

from datetime import datetime
from datetime import timedelta
from uuid import UUID
from uuid import uuid4

import pytest
from kinlink_kit.auth import Principal
from kinlink_kit.auth import Role
from kinlink_kit.testing import Clock
from kinlink_kit.testing import refused
from kinlink_visitation.adapters.simulated_rooms import SimulatedRooms
from kinlink_visitation.domain.video import RoomChange
from kinlink_visitation.domain.visit import Side
from kinlink_visitation.domain.visit import VisitStatus
from kinlink_visitation.service_layer.cancel_visit import CancelVisit
from kinlink_visitation.service_layer.cancel_visit import cancel_visit
from kinlink_visitation.service_layer.join_ticket import GetJoinTicket
from kinlink_visitation.service_layer.join_ticket import VisitNotOpen
from kinlink_visitation.service_layer.join_ticket import join_ticket
from kinlink_visitation.service_layer.room_reports import record_room_report
from kinlink_visitation.service_layer.visitation import Visitation

from tests.visitation_visits import FACILITY
from tests.visitation_visits import booked_visit


def test_the_station_waiting_in_the_room_is_taken_out_when_staff_cancel(
    visitation: Visitation, clock: Clock
) -> None:
    rooms = visitation.rooms
    assert isinstance(rooms, SimulatedRooms)
    visit = booked_visit(visitation, clock.now + timedelta(minutes=5))
    rooms.open_room(visit.visit_id, visit.ends_at)
    opens = visit.starts_at - timedelta(minutes=5)
    ticket = rooms.ticket(visit.visit_id, Side.STATION, opens, visit.ends_at)
    rooms.join(ticket.token, clock.now)
    for report in rooms.reports_waiting():
        record_room_report(visitation, report)
    officer = Principal(str(uuid4()), frozenset({Role.FACILITY_OFFICER}), frozenset({FACILITY}))

    cancelled = cancel_visit(visitation, officer, CancelVisit(visit.visit_id, "Lockdown"))

    assert cancelled.status is VisitStatus.CANCELLED
    assert not rooms.is_open(visit.visit_id)
    assert [(r.change, r.side, r.ours) for r in rooms.reports_waiting()] == [
        (RoomChange.LEFT, Side.STATION, True),
        (RoomChange.FINISHED, None, False),
    ]


def test_a_ticket_racing_a_cancel_leaves_no_room_open(
    visitation: Visitation, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    rooms = visitation.rooms
    assert isinstance(rooms, SimulatedRooms)
    visit = booked_visit(visitation, clock.now + timedelta(minutes=5))
    officer = Principal(str(uuid4()), frozenset({Role.FACILITY_OFFICER}), frozenset({FACILITY}))
    opening = rooms.open_room

    def open_room(visit_id: UUID, closes_at: datetime) -> None:
        # The cancel lands between the ticket's look at the visit and its room opening.
        cancel_visit(visitation, officer, CancelVisit(visit.visit_id, "Lockdown"))
        opening(visit_id, closes_at)

    monkeypatch.setattr(rooms, "open_room", open_room)

    with refused(VisitNotOpen, "visit_not_open"):
        join_ticket(visitation, officer, GetJoinTicket(visit.visit_id, Side.STATION))

    assert not rooms.is_open(visit.visit_id)

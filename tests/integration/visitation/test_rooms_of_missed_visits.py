"""A missed visit's room is closed with it: the visitor who waited alone in it is taken out
(on our side) when the missed-visit sweep marks the visit."""

from __future__ import annotations

from datetime import timedelta

from kinlink_kit.testing import Clock
from kinlink_visitation.adapters.simulated_rooms import SimulatedRooms
from kinlink_visitation.domain.video import RoomChange
from kinlink_visitation.domain.visit import Side
from kinlink_visitation.service_layer.mark_missed import mark_missed_visits
from kinlink_visitation.service_layer.room_reports import record_room_report
from kinlink_visitation.service_layer.visitation import Visitation

from tests.visitation_visits import booked_visit


def test_the_visitor_waiting_alone_is_taken_out_when_the_visit_is_missed(
    visitation: Visitation, clock: Clock
) -> None:
    rooms = visitation.rooms
    assert isinstance(rooms, SimulatedRooms)
    visit = booked_visit(visitation, clock.now)
    rooms.open_room(visit.visit_id, visit.ends_at)
    ticket = rooms.ticket(visit.visit_id, Side.VISITOR, visit.starts_at, visit.ends_at)
    rooms.join(ticket.token, clock.now + timedelta(minutes=1))
    for report in rooms.reports_waiting():
        record_room_report(visitation, report)
    clock.now = visit.ends_at + timedelta(minutes=1)

    assert mark_missed_visits(visitation) == 1

    assert not rooms.is_open(visit.visit_id)
    assert [(r.change, r.side, r.ours) for r in rooms.reports_waiting()] == [
        (RoomChange.LEFT, Side.VISITOR, True),
        (RoomChange.FINISHED, None, False),
    ]

"""The presence sweep on both stores, with the simulated provider: a join or leave whose report
never came is set right from who is in the room, a lost leave on our side; a visit whose
record agrees with its room is left alone."""

from __future__ import annotations

from datetime import timedelta

import pytest
from kinlink_kit.testing import Clock
from kinlink_visitation.adapters.simulated_rooms import SimulatedRooms
from kinlink_visitation.domain.ids import visit_key
from kinlink_visitation.domain.video import VideoUnavailable
from kinlink_visitation.domain.visit import Side
from kinlink_visitation.domain.visit import Visit
from kinlink_visitation.domain.visit import VisitStatus
from kinlink_visitation.service_layer.room_reports import reconcile_rooms
from kinlink_visitation.service_layer.room_reports import record_room_report
from kinlink_visitation.service_layer.visitation import Visitation

from tests.visitation_visits import booked_visit


def connected(visitation: Visitation, clock: Clock) -> Visit:
    """A visit both sides joined, their reports recorded."""
    rooms = simulated(visitation)
    visit = booked_visit(visitation, clock.now)
    rooms.open_room(visit.visit_id, visit.ends_at)
    for side in Side:
        ticket = rooms.ticket(visit.visit_id, side, visit.starts_at, visit.ends_at)
        rooms.join(ticket.token, clock.now)
    deliver_reports(visitation)
    return now_of(visitation, visit)


def simulated(visitation: Visitation) -> SimulatedRooms:
    assert isinstance(visitation.rooms, SimulatedRooms)
    return visitation.rooms


def deliver_reports(visitation: Visitation) -> None:
    for report in simulated(visitation).reports_waiting():
        record_room_report(visitation, report)


def now_of(visitation: Visitation, visit: Visit) -> Visit:
    found = visitation.find(visit_key(visit.visit_id), Visit, to_change=False)
    assert found is not None
    return found


def test_a_leave_whose_report_never_came_is_recorded_now_on_our_side(
    visitation: Visitation, clock: Clock
) -> None:
    visit = connected(visitation, clock)
    untouched = connected(visitation, clock)
    assert visit.status is VisitStatus.IN_PROGRESS
    simulated(visitation).leave(visit.visit_id, Side.VISITOR, clock.now + timedelta(seconds=30))
    simulated(visitation).reports_waiting()  # lost on the way
    clock.now += timedelta(seconds=90)

    assert reconcile_rooms(visitation) == 1
    assert reconcile_rooms(visitation) == 0  # set right once

    interrupted = now_of(visitation, visit)
    assert (interrupted.status, interrupted.presence[Side.VISITOR]) == (
        VisitStatus.INTERRUPTED,
        False,
    )
    assert interrupted.connected_seconds == 90.0  # up to when we learnt it
    last = list(visitation.store.repository.event_store.get(interrupted.id))[-1]
    assert (type(last).__name__, last.side, last.ours) == ("Interrupted", "visitor", True)
    assert now_of(visitation, untouched).status is VisitStatus.IN_PROGRESS


def test_a_rejoin_whose_report_never_came_resumes_the_visit_now(
    visitation: Visitation, clock: Clock
) -> None:
    visit = connected(visitation, clock)
    rooms = simulated(visitation)
    rooms.leave(visit.visit_id, Side.STATION, clock.now + timedelta(seconds=10))
    deliver_reports(visitation)
    station = rooms.ticket(visit.visit_id, Side.STATION, visit.starts_at, visit.ends_at)
    rooms.join(station.token, clock.now + timedelta(seconds=20))
    rooms.reports_waiting()  # lost on the way
    clock.now += timedelta(seconds=40)

    assert reconcile_rooms(visitation) == 1

    resumed = now_of(visitation, visit)
    assert resumed.status is VisitStatus.IN_PROGRESS
    assert resumed.connected_since == clock.now
    assert resumed.interruptions == 1


def test_a_provider_out_of_reach_changes_nothing(
    visitation: Visitation, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    visit = connected(visitation, clock)

    def unreachable(visit_id: object) -> frozenset[Side]:
        raise VideoUnavailable()

    monkeypatch.setattr(simulated(visitation), "present", unreachable)

    with pytest.raises(VideoUnavailable):  # the sweep's round fails; the next one tries again
        reconcile_rooms(visitation)
    assert now_of(visitation, visit).status is VisitStatus.IN_PROGRESS

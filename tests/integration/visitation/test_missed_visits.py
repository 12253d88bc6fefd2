"""The missed-visit sweep on both stores: a visit whose window ended without both sides ever in
the room is marked missed once, nothing due; one that connected, or whose window is not over,
is left alone."""

from __future__ import annotations

from datetime import timedelta
from uuid import uuid4

from kinlink_kit.testing import Clock
from kinlink_visitation.domain.visit import Side
from kinlink_visitation.domain.visit import Visit
from kinlink_visitation.domain.visit import VisitStatus
from kinlink_visitation.service_layer.mark_missed import mark_missed_visits
from kinlink_visitation.service_layer.visitation import Visitation

from tests.visitation_doubles import FRIDAY
from tests.visitation_doubles import OTHER_RESIDENT
from tests.visitation_doubles import THIRD_RESIDENT
from tests.visitation_doubles import local
from tests.visitation_doubles import schedule


def joined(visitation: Visitation, visit: Visit, *sides: Side) -> None:
    stored = visitation.store.repository.get(visit.id)
    for n, side in enumerate(sides):
        stored.joined(side, visit.starts_at + timedelta(seconds=n))
    visitation.store.save(stored)


def test_visits_over_without_connecting_are_missed_once(
    visitation: Visitation, clock: Clock
) -> None:
    nobody = schedule(visitation, uuid4(), local(FRIDAY, 9))
    visitor_alone = schedule(visitation, uuid4(), local(FRIDAY, 9), resident_id=OTHER_RESIDENT)
    connected = schedule(visitation, uuid4(), local(FRIDAY, 9, 30), resident_id=THIRD_RESIDENT)
    later = schedule(visitation, uuid4(), local(FRIDAY, 10))
    joined(visitation, visitor_alone, Side.VISITOR)
    joined(visitation, connected, Side.VISITOR, Side.STATION)

    clock.now = nobody.ends_at - timedelta(seconds=1)
    assert mark_missed_visits(visitation) == 0
    clock.now = connected.ends_at + timedelta(minutes=1)
    assert mark_missed_visits(visitation) == 2
    assert mark_missed_visits(visitation) == 0

    def now_of(visit: Visit) -> Visit:
        return visitation.store.repository.get(visit.id)

    for missed in (nobody, visitor_alone):
        assert (now_of(missed).status, now_of(missed).ended_at) == (VisitStatus.MISSED, clock.now)
        assert now_of(missed).minutes_due(clock.now) == 0
        assert not now_of(missed).anyone_present
    assert now_of(connected).status is VisitStatus.IN_PROGRESS
    assert now_of(later).status is VisitStatus.SCHEDULED

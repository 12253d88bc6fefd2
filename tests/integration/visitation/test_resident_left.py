"""A resident transferred or released: their visits still booked are cancelled with that reason,
or ended if already begun; the station and the visitors are free again; other residents' visits
stay; the same event delivered twice changes nothing. On SQLite and on the real PostgreSQL."""

from __future__ import annotations

from datetime import date
from datetime import timedelta
from uuid import uuid4

import pytest
from kinlink_contracts.facility import ResidentReleased
from kinlink_contracts.topics import IDENTITY_EVENTS
from kinlink_kit.errors import FailedPrecondition
from kinlink_kit.testing import Clock
from kinlink_kit.testing import refused
from kinlink_visitation.adapters.simulated_rooms import SimulatedRooms
from kinlink_visitation.domain.visit import CancelledBy
from kinlink_visitation.domain.visit import EndReason
from kinlink_visitation.domain.visit import Side
from kinlink_visitation.domain.visit import Visit
from kinlink_visitation.domain.visit import VisitStatus
from kinlink_visitation.entrypoints.identity_events import IDENTITY_HANDLERS
from kinlink_visitation.service_layer.visitation import Visitation

from tests.topic_feed import TopicFeed
from tests.visitation_doubles import FACILITY
from tests.visitation_doubles import FRIDAY
from tests.visitation_doubles import OTHER_RESIDENT
from tests.visitation_doubles import RESIDENT
from tests.visitation_doubles import THIRD_RESIDENT
from tests.visitation_doubles import availability
from tests.visitation_doubles import local
from tests.visitation_doubles import release
from tests.visitation_doubles import schedule
from tests.visitation_doubles import transfer


def now_of(visitation: Visitation, visit: Visit) -> Visit:
    return visitation.store.repository.get(visit.id)


@pytest.mark.parametrize(
    ("leave", "why"),
    [(release, CancelledBy.RESIDENT_RELEASED), (transfer, CancelledBy.RESIDENT_TRANSFERRED)],
    ids=["released", "transferred"],
)
def test_the_resident_s_upcoming_visits_are_cancelled_for_that_reason(
    visitation: Visitation, leave: object, why: CancelledBy
) -> None:
    visitor, other_visitor = uuid4(), uuid4()
    friday = schedule(visitation, visitor, local(FRIDAY, 9))
    saturday = schedule(visitation, other_visitor, local(date(2026, 11, 28), 9))
    beside = schedule(visitation, uuid4(), local(FRIDAY, 9), resident_id=OTHER_RESIDENT)
    leave(visitation, RESIDENT)  # type: ignore[operator]
    for visit in (friday, saturday):
        cancelled = now_of(visitation, visit)
        assert (cancelled.status, cancelled.cancelled_by) == (VisitStatus.CANCELLED, why)
    assert now_of(visitation, beside).status is VisitStatus.SCHEDULED
    # The station and the visitor are free again: the visitor books another resident then.
    free = dict(availability(visitation, FRIDAY, visitor, resident_id=THIRD_RESIDENT))
    assert free[local(FRIDAY, 9)] == 1
    assert schedule(visitation, visitor, local(FRIDAY, 9), resident_id=THIRD_RESIDENT).station == 1


def test_a_visit_in_progress_is_ended_and_one_with_a_side_waiting_too(
    visitation: Visitation, clock: Clock
) -> None:
    connected = schedule(visitation, uuid4(), local(FRIDAY, 9))
    waiting = schedule(visitation, uuid4(), local(FRIDAY, 14))
    in_progress = visitation.store.repository.get(connected.id)
    in_progress.joined(Side.VISITOR, connected.starts_at)
    in_progress.joined(Side.STATION, connected.starts_at + timedelta(seconds=5))
    alone = visitation.store.repository.get(waiting.id)
    alone.joined(Side.STATION, waiting.starts_at)
    visitation.store.save(in_progress, alone)
    clock.now = connected.starts_at + timedelta(minutes=3)

    released = release(visitation, RESIDENT)

    ended = now_of(visitation, connected)
    assert (ended.status, ended.end_reason) == (VisitStatus.ENDED, EndReason.RESIDENT_LEFT)
    assert ended.ended_at == released.occurred_at
    assert now_of(visitation, waiting).end_reason is EndReason.RESIDENT_LEFT
    with refused(FailedPrecondition, "visit_not_cancellable", None):
        ended.cancel(CancelledBy.VISITOR, "", clock.now)


async def test_the_same_leaving_delivered_twice_changes_nothing(visitation: Visitation) -> None:
    visit = schedule(visitation, uuid4(), local(FRIDAY, 9))
    identity_topic = TopicFeed(visitation, IDENTITY_EVENTS, IDENTITY_HANDLERS)
    released = await identity_topic.publish(
        ResidentReleased(facility_id=FACILITY, resident_id=RESIDENT), RESIDENT, "identity"
    )
    once = now_of(visitation, visit)
    await identity_topic.deliver(released, again=True)
    assert once.status is VisitStatus.CANCELLED
    assert now_of(visitation, visit).version == once.version
    assert identity_topic.dead_letters() == []


def test_the_room_of_a_visit_cancelled_by_the_resident_s_leaving_is_closed(
    visitation: Visitation,
) -> None:
    # Its tickets were given (the room opened) but no one is in it yet.
    visit = schedule(visitation, uuid4(), local(FRIDAY, 9))
    rooms = visitation.rooms
    assert isinstance(rooms, SimulatedRooms)
    rooms.open_room(visit.visit_id, visit.ends_at)
    release(visitation, RESIDENT)
    assert now_of(visitation, visit).status is VisitStatus.CANCELLED
    assert not rooms.is_open(visit.visit_id)

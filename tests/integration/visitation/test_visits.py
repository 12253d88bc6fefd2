"""CancelVisit, GetVisit, ListVisits and ListStationDay on both stores: who may cancel or see a
visit, the window given back, lists page by page, a day per station in the facility's time."""

from __future__ import annotations

from datetime import date
from datetime import timedelta
from uuid import UUID
from uuid import uuid4

from kinlink_kit.auth import Principal
from kinlink_kit.auth import Role
from kinlink_kit.errors import FailedPrecondition
from kinlink_kit.errors import InvalidArgument
from kinlink_kit.errors import NotFound
from kinlink_kit.errors import PermissionDenied
from kinlink_kit.testing import Clock
from kinlink_kit.testing import refused
from kinlink_visitation.domain.visit import CancelledBy
from kinlink_visitation.domain.visit import VisitStatus
from kinlink_visitation.service_layer.cancel_visit import CancelVisit
from kinlink_visitation.service_layer.cancel_visit import cancel_visit
from kinlink_visitation.service_layer.list_visits import ListVisits
from kinlink_visitation.service_layer.list_visits import list_visits
from kinlink_visitation.service_layer.list_visits import station_day
from kinlink_visitation.service_layer.visitation import Visitation
from kinlink_visitation.service_layer.visits_access import get_visit

from tests.visitation_doubles import FACILITY
from tests.visitation_doubles import FRIDAY
from tests.visitation_doubles import OTHER_FACILITY
from tests.visitation_doubles import OTHER_RESIDENT
from tests.visitation_doubles import THIRD_RESIDENT
from tests.visitation_doubles import availability
from tests.visitation_doubles import local
from tests.visitation_doubles import schedule


def family(account_id: UUID) -> Principal:
    return Principal(str(account_id), frozenset({Role.FAMILY_MEMBER}))


def officer(facility_id: str = FACILITY) -> Principal:
    return Principal(str(uuid4()), frozenset({Role.FACILITY_OFFICER}), frozenset({facility_id}))


OPERATOR = Principal(str(uuid4()), frozenset({Role.OPERATOR}))


def test_the_visitor_cancels_before_the_start_and_the_slot_is_free_again(
    visitation: Visitation, clock: Clock
) -> None:
    visitor = uuid4()
    visit = schedule(visitation, visitor, local(FRIDAY, 9))
    cancelled = cancel_visit(visitation, family(visitor), CancelVisit(visit.visit_id))
    assert (cancelled.status, cancelled.cancelled_by) == (
        VisitStatus.CANCELLED,
        CancelledBy.VISITOR,
    )
    assert cancelled.cancelled_at == clock.now
    assert dict(availability(visitation, FRIDAY))[local(FRIDAY, 9)] == 2
    # The same visitor and resident can take it again; cancelling again changes nothing.
    assert schedule(visitation, visitor, local(FRIDAY, 9)).station == 1
    again = cancel_visit(visitation, family(visitor), CancelVisit(visit.visit_id))
    assert again.version == cancelled.version


def test_once_started_the_visitor_can_no_longer_cancel(
    visitation: Visitation, clock: Clock
) -> None:
    visitor = uuid4()
    visit = schedule(visitation, visitor, local(FRIDAY, 9))
    clock.now = visit.starts_at
    with refused(FailedPrecondition, "visit_not_cancellable", None):
        cancel_visit(visitation, family(visitor), CancelVisit(visit.visit_id))
    # Staff still can, saying why.
    cancelled = cancel_visit(visitation, officer(), CancelVisit(visit.visit_id, "Lockdown"))
    assert (cancelled.cancelled_by, cancelled.cancel_note) == (CancelledBy.FACILITY, "Lockdown")


def test_staff_say_why_and_only_staff_of_the_facility_may_cancel(
    visitation: Visitation,
) -> None:
    visit = schedule(visitation, uuid4(), local(FRIDAY, 9))
    with refused(InvalidArgument, "note_missing", None):
        cancel_visit(visitation, officer(), CancelVisit(visit.visit_id, "  "))
    with refused(PermissionDenied, "facility_out_of_scope", None):
        cancel_visit(visitation, officer(OTHER_FACILITY), CancelVisit(visit.visit_id, "No"))
    with refused(NotFound, "visit_not_found", None):
        cancel_visit(visitation, family(uuid4()), CancelVisit(visit.visit_id))
    with refused(NotFound, "visit_not_found", None):
        cancel_visit(visitation, officer(), CancelVisit(uuid4(), "No such visit"))
    assert visitation.store.repository.get(visit.id).status is VisitStatus.SCHEDULED


def test_a_visit_is_seen_by_its_visitor_staff_of_its_facility_and_operators(
    visitation: Visitation,
) -> None:
    visitor = uuid4()
    visit = schedule(visitation, visitor, local(FRIDAY, 9))
    for principal in (family(visitor), officer(), OPERATOR):
        assert get_visit(visitation, principal, visit.visit_id).id == visit.id
    with refused(NotFound, "visit_not_found", None):
        get_visit(visitation, family(uuid4()), visit.visit_id)
    with refused(PermissionDenied, "facility_out_of_scope", None):
        get_visit(visitation, officer(OTHER_FACILITY), visit.visit_id)


def test_a_family_member_lists_their_own_visits_soonest_first_page_by_page(
    visitation: Visitation, clock: Clock
) -> None:
    visitor = uuid4()
    later = schedule(visitation, visitor, local(FRIDAY, 14), resident_id=OTHER_RESIDENT)
    sooner = schedule(visitation, visitor, local(FRIDAY, 9))
    past = schedule(visitation, visitor, local(FRIDAY, 8))
    schedule(visitation, uuid4(), local(FRIDAY, 10), resident_id=THIRD_RESIDENT)  # not theirs
    first = list_visits(visitation, family(visitor), ListVisits("", "", False, 2))
    assert [visit.id for visit in first.rows] == [past.id, sooner.id]
    second = list_visits(
        visitation, family(visitor), ListVisits("", "", False, 2, first.next_page_token)
    )
    assert ([visit.id for visit in second.rows], second.next_page_token) == ([later.id], "")
    # Upcoming: not over yet, and still booked.
    cancel_visit(visitation, family(visitor), CancelVisit(later.visit_id))
    clock.now = past.ends_at
    upcoming = list_visits(visitation, family(visitor), ListVisits("", "", True, 10))
    assert [visit.id for visit in upcoming.rows] == [sooner.id]
    of_resident = list_visits(
        visitation, family(visitor), ListVisits("", OTHER_RESIDENT, False, 10)
    )
    assert [visit.id for visit in of_resident.rows] == [later.id]


def test_staff_list_their_facility_s_visits(visitation: Visitation) -> None:
    mine = schedule(visitation, uuid4(), local(FRIDAY, 9))
    theirs = schedule(visitation, uuid4(), local(FRIDAY, 9), resident_id=OTHER_RESIDENT)
    listed = list_visits(visitation, officer(), ListVisits(FACILITY, "", False, 10))
    assert {visit.id for visit in listed.rows} == {mine.id, theirs.id}
    with refused(InvalidArgument, "facility_id_missing", None):
        list_visits(visitation, officer(), ListVisits("", "", False, 10))
    with refused(PermissionDenied, "facility_out_of_scope", None):
        list_visits(visitation, officer(OTHER_FACILITY), ListVisits(FACILITY, "", False, 10))


def test_a_station_day_lists_each_station_s_visits_of_the_facility_s_day(
    visitation: Visitation,
) -> None:
    morning = schedule(visitation, uuid4(), local(FRIDAY, 8))
    beside = schedule(visitation, uuid4(), local(FRIDAY, 8), resident_id=OTHER_RESIDENT)
    # 15:30 in Chicago is 21:30 UTC, and a visit on Saturday 08:00 is 14:00 UTC: the day is
    # Chicago's, not UTC's.
    evening = schedule(visitation, uuid4(), local(FRIDAY, 15, 30))
    schedule(visitation, uuid4(), local(date(2026, 11, 28), 8))
    cancelled = schedule(visitation, uuid4(), local(FRIDAY, 10), resident_id=THIRD_RESIDENT)
    cancel_visit(visitation, officer(), CancelVisit(cancelled.visit_id, "Count"))
    day = station_day(visitation, officer(), FACILITY, FRIDAY)
    assert day.time_zone == "America/Chicago"
    assert {
        station: [visit.id for visit in visits] for station, visits in day.stations.items()
    } == {
        1: [morning.id, cancelled.id, evening.id],
        2: [beside.id],
    }
    empty = station_day(visitation, OPERATOR, FACILITY, FRIDAY + timedelta(days=3))
    assert empty.stations == {1: [], 2: []}
    with refused(PermissionDenied, "facility_out_of_scope", None):
        station_day(visitation, officer(OTHER_FACILITY), FACILITY, FRIDAY)

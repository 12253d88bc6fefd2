"""Availability, ScheduleVisit and DirectDial on both stores: slots within visiting hours and the
booking rules, no station, resident or visitor booked twice, repeats answered once."""

from __future__ import annotations

from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta
from uuid import UUID
from uuid import uuid4
from zoneinfo import ZoneInfo

import pytest
from kinlink_contracts.facility_settings import VisitingWindow
from kinlink_contracts.facility_settings import Weekday
from kinlink_kit.errors import AlreadyExists
from kinlink_kit.errors import FailedPrecondition
from kinlink_kit.errors import InvalidArgument
from kinlink_kit.errors import NotFound
from kinlink_kit.testing import Clock
from kinlink_kit.testing import refused
from kinlink_visitation.domain.visit import Visit
from kinlink_visitation.domain.visit import VisitKind
from kinlink_visitation.domain.visit import VisitStatus
from kinlink_visitation.domain.visiting_hours import ClosedReason
from kinlink_visitation.service_layer.availability import AvailabilityQuery
from kinlink_visitation.service_layer.availability import list_availability
from kinlink_visitation.service_layer.schedule_visit import DirectDial
from kinlink_visitation.service_layer.schedule_visit import direct_dial
from kinlink_visitation.service_layer.visitation import Visitation

from tests.visitation_doubles import CHICAGO
from tests.visitation_doubles import FACILITY
from tests.visitation_doubles import FRIDAY
from tests.visitation_doubles import OTHER_RESIDENT
from tests.visitation_doubles import PRICE_CENTS
from tests.visitation_doubles import RESIDENT
from tests.visitation_doubles import THIRD_RESIDENT
from tests.visitation_doubles import availability
from tests.visitation_doubles import configure
from tests.visitation_doubles import local
from tests.visitation_doubles import release
from tests.visitation_doubles import schedule


def test_a_day_offers_its_visiting_hours_cut_into_slots_with_every_station_free(
    visitation: Visitation,
) -> None:
    slots = availability(visitation, FRIDAY)
    starts = [starts_at.strftime("%H:%M") for starts_at, _ in slots]
    assert starts == [
        "08:00", "08:30", "09:00", "09:30", "10:00", "10:30",
        "13:00", "13:30", "14:00", "14:30", "15:00", "15:30",
    ]  # fmt: skip
    assert {free for _, free in slots} == {2}
    found = list_availability(
        visitation, None, AvailabilityQuery(FACILITY, RESIDENT, FRIDAY, 30, VisitKind.REMOTE)
    )
    assert (found.time_zone, found.price_per_minute_cents) == ("America/Chicago", PRICE_CENTS)


def test_a_booked_visit_is_on_a_station_for_its_window_at_the_price_of_the_day(
    visitation: Visitation, clock: Clock
) -> None:
    visitor = uuid4()
    visit = schedule(visitation, visitor, local(FRIDAY, 9))
    assert (visit.status, visit.station, visit.slot_minutes) == (VisitStatus.SCHEDULED, 1, 30)
    assert (visit.starts_at, visit.ends_at) == (
        datetime(2026, 11, 27, 15, 0, tzinfo=UTC),
        datetime(2026, 11, 27, 15, 30, tzinfo=UTC),
    )
    assert (visit.price_per_minute_cents, visit.scheduled_at) == (PRICE_CENTS, clock.now)
    assert visit.facility_time_zone == "America/Chicago"
    stored = visitation.find(visit.id, Visit)
    assert stored is not None and stored.visit_id == visit.visit_id
    # The price frozen: a change of the facility's later does not reach it.
    configure(visitation, revision=2, video_price_per_minute_cents=11)
    assert visitation.store.repository.get(visit.id).price_per_minute_cents == PRICE_CENTS


def test_an_in_facility_visit_is_free(visitation: Visitation) -> None:
    visit = schedule(visitation, uuid4(), local(FRIDAY, 9), kind=VisitKind.IN_FACILITY)
    assert (visit.kind, visit.price_per_minute_cents) == (VisitKind.IN_FACILITY, 0)


def test_each_station_is_booked_once_and_then_none_is_free(visitation: Visitation) -> None:
    first = schedule(visitation, uuid4(), local(FRIDAY, 9), resident_id=RESIDENT)
    second = schedule(visitation, uuid4(), local(FRIDAY, 9), resident_id=OTHER_RESIDENT)
    assert (first.station, second.station) == (1, 2)
    with refused(FailedPrecondition, "no_station_free", None):
        schedule(
            visitation, uuid4(), local(FRIDAY, 9, 15), resident_id=THIRD_RESIDENT, slot_minutes=15
        )
    # The slot is gone for everyone; the next one is whole again.
    slots = dict(availability(visitation, FRIDAY))
    assert local(FRIDAY, 9) not in slots
    assert slots[local(FRIDAY, 9, 30)] == 2


def test_a_resident_is_never_booked_twice_even_across_slot_lengths(
    visitation: Visitation,
) -> None:
    schedule(visitation, uuid4(), local(FRIDAY, 9), slot_minutes=30)
    with refused(FailedPrecondition, "resident_busy", None):
        schedule(visitation, uuid4(), local(FRIDAY, 9, 15), slot_minutes=15)
    # Right after the visit's end is free.
    after = schedule(visitation, uuid4(), local(FRIDAY, 9, 30), slot_minutes=15)
    assert after.station == 1
    assert local(FRIDAY, 9) not in dict(availability(visitation, FRIDAY))


def test_a_visitor_is_never_booked_twice(visitation: Visitation) -> None:
    visitor = uuid4()
    schedule(visitation, visitor, local(FRIDAY, 9), resident_id=RESIDENT)
    with refused(FailedPrecondition, "visitor_busy", None):
        schedule(visitation, visitor, local(FRIDAY, 9), resident_id=OTHER_RESIDENT)
    # Their own booking hides the slot from them, not from others.
    assert local(FRIDAY, 9) not in dict(list_availability_for(visitation, visitor, OTHER_RESIDENT))
    assert local(FRIDAY, 9) in dict(list_availability_for(visitation, uuid4(), OTHER_RESIDENT))


def list_availability_for(
    visitation: Visitation, visitor: UUID, resident_id: str
) -> list[tuple[datetime, int]]:
    found = list_availability(
        visitation, visitor, AvailabilityQuery(FACILITY, resident_id, FRIDAY, 30, None)
    )
    return [(free.slot.starts_at.astimezone(CHICAGO), free.stations_free) for free in found.slots]


def test_a_repeat_returns_the_visit_first_booked_and_another_request_is_refused(
    visitation: Visitation,
) -> None:
    visitor, visit_id = uuid4(), uuid4()
    first = schedule(visitation, visitor, local(FRIDAY, 9), visit_id=visit_id)
    again = schedule(visitation, visitor, local(FRIDAY, 9), visit_id=visit_id)
    assert (again.id, again.version) == (first.id, first.version)
    with refused(AlreadyExists, "visit_id_reused", None):
        schedule(visitation, visitor, local(FRIDAY, 10), visit_id=visit_id)
    with refused(AlreadyExists, "visit_id_reused", None):
        schedule(visitation, uuid4(), local(FRIDAY, 9), visit_id=visit_id)


@pytest.mark.parametrize(
    ("starts_at", "code"),
    [
        (local(date(2026, 11, 26), 9), "before_booking_lead_time"),  # Thursday morning
        (local(date(2026, 11, 24), 9), "date_past"),
        (local(date(2026, 12, 10), 9), "beyond_booking_horizon"),  # 15 days ahead
        (local(FRIDAY, 11), "slot_not_offered"),  # the window closes at 11:00
        (local(FRIDAY, 9, 10), "slot_not_offered"),  # not on the grid
    ],
)
def test_only_the_slots_offered_can_be_booked(
    visitation: Visitation, starts_at: datetime, code: str
) -> None:
    kind = FailedPrecondition if code != "slot_not_offered" else InvalidArgument
    with refused(kind, code, None):
        schedule(visitation, uuid4(), starts_at)


def test_the_last_day_of_the_horizon_can_be_booked(visitation: Visitation) -> None:
    assert schedule(visitation, uuid4(), local(date(2026, 12, 9), 9)).station == 1


def test_blackout_dates_and_days_without_hours_offer_nothing(
    visitation: Visitation,
) -> None:
    weekday_hours = tuple(window for window in _hours(visitation) if window.day.value != "friday")
    configure(
        visitation,
        revision=2,
        video_blackout_dates=(date(2026, 11, 28),),
        visiting_hours=weekday_hours,
    )
    saturday = list_availability(
        visitation, None, AvailabilityQuery(FACILITY, RESIDENT, date(2026, 11, 28), 30, None)
    )
    friday = list_availability(
        visitation, None, AvailabilityQuery(FACILITY, RESIDENT, FRIDAY, 30, None)
    )
    assert (saturday.slots, saturday.closed_reason) == ([], ClosedReason.BLACKOUT)
    assert (friday.slots, friday.closed_reason) == ([], ClosedReason.NO_HOURS)
    with refused(FailedPrecondition, "date_blacked_out", None):
        schedule(visitation, uuid4(), local(date(2026, 11, 28), 9))


def _hours(visitation: Visitation) -> tuple[VisitingWindow, ...]:
    return visitation.facilities.facility(FACILITY).visiting_hours


def test_a_slot_length_the_facility_does_not_offer_is_refused(visitation: Visitation) -> None:
    with refused(InvalidArgument, "slot_minutes_not_offered", None):
        schedule(visitation, uuid4(), local(FRIDAY, 9), slot_minutes=45)
    # 0 is the facility's shortest.
    assert schedule(visitation, uuid4(), local(FRIDAY, 9), slot_minutes=0).slot_minutes == 15


def test_a_facility_without_stations_offers_no_video(visitation: Visitation) -> None:
    configure(visitation, revision=2, video_stations=0)
    found = list_availability(
        visitation, None, AvailabilityQuery(FACILITY, RESIDENT, FRIDAY, 30, None)
    )
    assert found.closed_reason is ClosedReason.NO_VIDEO
    with refused(FailedPrecondition, "video_visits_unavailable", None):
        schedule(visitation, uuid4(), local(FRIDAY, 9))


def test_a_released_or_unknown_resident_cannot_be_visited(visitation: Visitation) -> None:
    release(visitation, THIRD_RESIDENT)
    with refused(FailedPrecondition, "resident_released", None):
        schedule(visitation, uuid4(), local(FRIDAY, 9), resident_id=THIRD_RESIDENT)
    with refused(NotFound, "resident_not_found", None):
        schedule(visitation, uuid4(), local(FRIDAY, 9), resident_id="R-404")


def dial(visitation: Visitation, visitor: UUID, resident_id: str = RESIDENT) -> Visit:
    command = DirectDial(uuid4(), FACILITY, resident_id, VisitKind.REMOTE)
    return direct_dial(visitation, visitor, command)


def test_a_direct_dial_is_a_visit_from_now_for_the_shortest_slot_without_lead_time(
    visitation: Visitation, clock: Clock
) -> None:
    clock.now = local(FRIDAY, 9, 7).astimezone(UTC)
    visit = dial(visitation, uuid4())
    assert (visit.starts_at, visit.ends_at) == (clock.now, clock.now + timedelta(minutes=15))
    assert (visit.direct_dial, visit.station) == (True, 1)
    # It takes the station and the resident like any visit.
    with refused(FailedPrecondition, "resident_busy", None):
        dial(visitation, uuid4())
    assert dial(visitation, uuid4(), OTHER_RESIDENT).station == 2
    with refused(FailedPrecondition, "no_station_free", None):
        dial(visitation, uuid4(), THIRD_RESIDENT)


@pytest.mark.parametrize(
    "now", [local(FRIDAY, 7, 59), local(FRIDAY, 10, 50), local(FRIDAY, 12)], ids=str
)
def test_a_direct_dial_needs_the_facility_open_for_the_whole_slot(
    visitation: Visitation, clock: Clock, now: datetime
) -> None:
    clock.now = now.astimezone(UTC)
    with refused(FailedPrecondition, "facility_closed", None):
        dial(visitation, uuid4())


def test_a_direct_dial_finds_the_station_a_scheduled_visit_holds_taken(
    visitation: Visitation, clock: Clock
) -> None:
    schedule(visitation, uuid4(), local(FRIDAY, 9, 30), resident_id=OTHER_RESIDENT)
    clock.now = local(FRIDAY, 9, 20).astimezone(UTC)  # its 15 minutes reach into 09:30
    assert dial(visitation, uuid4()).station == 2


@pytest.mark.parametrize(
    ("sunday", "starts_utc", "shown"),
    [
        (date(2026, 3, 8), datetime(2026, 3, 8, 13, 0, tzinfo=UTC), "08:00 CDT"),
        (date(2026, 11, 1), datetime(2026, 11, 1, 14, 0, tzinfo=UTC), "08:00 CST"),
    ],
    ids=["spring forward", "fall back"],
)
def test_a_visit_booked_on_a_daylight_saving_sunday_is_at_its_local_time(
    visitation: Visitation, clock: Clock, sunday: date, starts_utc: datetime, shown: str
) -> None:
    clock.now = datetime.combine(sunday - timedelta(days=4), datetime.min.time(), UTC)
    slots = availability(visitation, sunday)
    assert [starts_at.strftime("%H:%M %Z") for starts_at, _ in slots][:2] == [
        shown,
        shown.replace("08:00", "08:30"),
    ]
    visit = schedule(visitation, uuid4(), local(sunday, 8))
    assert (visit.starts_at, visit.ends_at - visit.starts_at) == (starts_utc, timedelta(minutes=30))
    facility_zone = ZoneInfo(visit.facility_time_zone)
    assert visit.starts_at.astimezone(facility_zone).strftime("%H:%M %Z") == shown
    first_free, _ = availability(visitation, sunday)[0]
    assert first_free == local(sunday, 8, 30)  # the resident is taken at 08:00


def test_a_day_s_evening_slots_past_utc_midnight_see_their_stations_taken(
    visitation: Visitation,
) -> None:
    friday_evening = VisitingWindow(day=Weekday.FRIDAY, opens=time(17), closes=time(19))
    evening = (*_hours(visitation), friday_evening)
    configure(visitation, revision=2, visiting_hours=evening)
    # 18:00 in Chicago is midnight UTC: the visit is in Saturday's calendars (UTC).
    late = schedule(visitation, uuid4(), local(FRIDAY, 18), resident_id=OTHER_RESIDENT)
    assert late.starts_at.date() == date(2026, 11, 28)
    slots = dict(availability(visitation, FRIDAY))
    assert (slots[local(FRIDAY, 8)], slots[local(FRIDAY, 17, 30)], slots[local(FRIDAY, 18)]) == (
        2,
        2,
        1,
    )

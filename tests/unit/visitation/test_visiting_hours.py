"""Visiting hours on daylight-saving days in America/Chicago: the spring-forward Sunday
(2026-03-08, 02:00 CST becomes 03:00 CDT) and the fall-back Sunday (2026-11-01, 02:00 CDT
becomes 01:00 CST). Slots are right in UTC, each lasts what it says, and shown in the
facility's and a visitor's time zone they read as the clocks on the wall did."""

from __future__ import annotations

from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from kinlink_contracts.facility_settings import FacilitySettings
from kinlink_contracts.facility_settings import FeeTier
from kinlink_contracts.facility_settings import VisitingWindow
from kinlink_contracts.facility_settings import Weekday
from kinlink_kit.errors import FailedPrecondition
from kinlink_kit.testing import refused
from kinlink_visitation.domain.visiting_hours import VisitingHours

CHICAGO = ZoneInfo("America/Chicago")
NEW_YORK = ZoneInfo("America/New_York")
SPRING_FORWARD = date(2026, 3, 8)
FALL_BACK = date(2026, 11, 1)
HALF_HOUR = timedelta(minutes=30)


def hours(*windows: tuple[Weekday, time, time], **changes: object) -> VisitingHours:
    settings = FacilitySettings(
        name="DST County Jail",
        time_zone="America/Chicago",
        deposit_fee_tiers=(FeeTier(up_to_cents=30000, fee_cents=295),),
        visiting_hours=tuple(VisitingWindow(day=d, opens=o, closes=c) for d, o, c in windows),
        video_stations=1,
        **changes,  # type: ignore[arg-type]
    )
    return VisitingHours(settings)


def utc(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC)


def shown(at: datetime, zone: ZoneInfo = CHICAGO) -> str:
    return at.astimezone(zone).strftime("%H:%M %Z")


MORNINGS = ((Weekday.SATURDAY, time(8), time(9)), (Weekday.SUNDAY, time(8), time(9)))


@pytest.mark.parametrize(
    ("saturday", "sunday", "before", "after"),
    [
        (date(2026, 3, 7), SPRING_FORWARD, "CST", "CDT"),
        (date(2026, 10, 31), FALL_BACK, "CDT", "CST"),
    ],
    ids=["spring forward", "fall back"],
)
def test_a_morning_slot_is_at_its_local_time_on_both_sides_of_the_change(
    saturday: date, sunday: date, before: str, after: str
) -> None:
    facility = hours(*MORNINGS)
    on_saturday = facility.slots(saturday, HALF_HOUR)
    on_sunday = facility.slots(sunday, HALF_HOUR)
    assert [shown(slot.starts_at) for slot in on_saturday] == [f"08:00 {before}", f"08:30 {before}"]
    assert [shown(slot.starts_at) for slot in on_sunday] == [f"08:00 {after}", f"08:30 {after}"]
    # An hour apart in UTC, so a visitor elsewhere sees the change too.
    assert on_saturday[0].starts_at.hour - on_sunday[0].starts_at.hour == (
        1 if after == "CDT" else -1
    )
    assert shown(on_sunday[0].starts_at, NEW_YORK) == f"09:00 {after.replace('C', 'E')}"


def test_on_the_spring_forward_night_the_missing_hour_has_no_slot() -> None:
    facility = hours((Weekday.SUNDAY, time(1), time(4)))
    slots = facility.slots(SPRING_FORWARD, HALF_HOUR)
    # 01:00 CST to 04:00 CDT is two hours, not three.
    assert [(slot.starts_at, shown(slot.starts_at)) for slot in slots] == [
        (utc(SPRING_FORWARD, 7), "01:00 CST"),
        (utc(SPRING_FORWARD, 7, 30), "01:30 CST"),
        (utc(SPRING_FORWARD, 8), "03:00 CDT"),
        (utc(SPRING_FORWARD, 8, 30), "03:30 CDT"),
    ]
    assert all(slot.ends_at - slot.starts_at == HALF_HOUR for slot in slots)
    assert shown(slots[1].ends_at) == "03:00 CDT"


def test_on_the_fall_back_night_the_repeated_hour_has_its_slots_twice() -> None:
    facility = hours((Weekday.SUNDAY, time(0), time(3)))
    slots = facility.slots(FALL_BACK, HALF_HOUR)
    # 00:00 CDT to 03:00 CST is four hours.
    assert [shown(slot.starts_at) for slot in slots] == [
        "00:00 CDT", "00:30 CDT", "01:00 CDT", "01:30 CDT",
        "01:00 CST", "01:30 CST", "02:00 CST", "02:30 CST",
    ]  # fmt: skip
    assert (slots[0].starts_at, slots[-1].ends_at) == (utc(FALL_BACK, 5), utc(FALL_BACK, 9))
    assert len({slot.starts_at for slot in slots}) == 8


def test_a_window_opening_in_the_missing_hour_opens_when_that_time_would_have_been() -> None:
    facility = hours((Weekday.SUNDAY, time(2, 30), time(4)))
    slots = facility.slots(SPRING_FORWARD, HALF_HOUR)
    assert [shown(slot.starts_at) for slot in slots] == ["03:30 CDT"]


@pytest.mark.parametrize(
    ("day", "length"),
    [
        (SPRING_FORWARD, timedelta(hours=23)),
        (FALL_BACK, timedelta(hours=25)),
        (date(2026, 3, 9), timedelta(hours=24)),
    ],
    ids=["spring forward", "fall back", "an ordinary day"],
)
def test_the_facility_s_day_is_as_long_as_its_clocks_make_it(day: date, length: timedelta) -> None:
    start, end = hours().day_bounds(day)
    assert end - start == length
    assert shown(start).startswith("00:00") and shown(end).startswith("00:00")


def test_the_local_date_of_an_instant_is_the_facility_s() -> None:
    facility = hours()
    # 03:30 UTC on Monday is still Sunday evening in Chicago.
    assert facility.local_date(utc(date(2026, 3, 9), 3, 30)) == SPRING_FORWARD


def test_a_direct_dial_on_the_spring_forward_morning_lasts_its_real_minutes() -> None:
    facility = hours(*MORNINGS)
    now = utc(SPRING_FORWARD, 13, 40)  # 08:40 CDT
    slot = facility.direct_dial_slot(now)
    assert (slot.starts_at, slot.ends_at - slot.starts_at) == (now, timedelta(minutes=15))
    with refused(FailedPrecondition, "facility_closed", None):
        facility.direct_dial_slot(utc(SPRING_FORWARD, 14, 0))  # 09:00 CDT: closed


def test_the_horizon_and_the_lead_time_count_from_the_facility_s_today() -> None:
    facility = hours(*MORNINGS, video_booking_horizon_days=1, video_booking_lead_minutes=60)
    saturday_evening = utc(date(2026, 3, 8), 4)  # 22:00 CST on Saturday the 7th
    assert facility.closed_reason(SPRING_FORWARD, saturday_evening) is None
    assert facility.closed_reason(date(2026, 3, 9), saturday_evening) is not None
    early = facility.bookable_slots(SPRING_FORWARD, HALF_HOUR, utc(SPRING_FORWARD, 11, 45))
    assert [shown(slot.starts_at) for slot in early] == ["08:00 CDT", "08:30 CDT"]
    # At 07:15 CDT, an hour's lead leaves the 08:30 slot only.
    later = facility.bookable_slots(SPRING_FORWARD, HALF_HOUR, utc(SPRING_FORWARD, 12, 15))
    assert [shown(slot.starts_at) for slot in later] == ["08:30 CDT"]
    with refused(FailedPrecondition, "before_booking_lead_time", None):
        facility.bookable_slots(SPRING_FORWARD, HALF_HOUR, utc(SPRING_FORWARD, 13, 15))

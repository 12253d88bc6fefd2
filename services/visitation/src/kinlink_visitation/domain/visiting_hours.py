"""When a facility's video visits may take place: its visiting hours cut into slots, its booking
rules (lead time, horizon, blackout dates), in the facility's time zone.

Visiting hours are local wall-clock times; slots are instants. A window's opening and closing
are turned into instants on the day itself, and slots are laid end to end in elapsed time
between them, so on a daylight-saving day the window is an hour shorter or longer and every slot
still lasts what it says (decision 0065). A local time that does not exist (spring forward) is
the instant it would have been; one that happens twice (fall back) is its first.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from kinlink_contracts.facility_settings import FacilitySettings
from kinlink_contracts.facility_settings import Weekday
from kinlink_kit.errors import FailedPrecondition
from kinlink_kit.errors import InvalidArgument

WEEKDAYS = tuple(Weekday)  # Monday first, as date.weekday() counts


class ClosedReason(StrEnum):
    """Why a day offers no slot at all, whoever asks."""

    NO_VIDEO = "no_video"  # the facility has no video stations
    PAST = "past"
    BEYOND_HORIZON = "beyond_horizon"
    BLACKOUT = "blackout"
    NO_HOURS = "no_hours"  # no visiting hours that weekday
    BEFORE_LEAD_TIME = "before_lead_time"  # every slot starts too soon to be booked


@dataclass(frozen=True)
class Slot:
    starts_at: datetime
    ends_at: datetime


class SlotLengthNotOffered(InvalidArgument):
    def __init__(self, offered: tuple[int, ...]) -> None:
        lengths = ", ".join(str(minutes) for minutes in offered)
        super().__init__(
            "slot_minutes_not_offered", f"This facility's video visits last {lengths} minutes."
        )


# Each reason's stable code and what the family is told.
_CLOSED = {
    ClosedReason.NO_VIDEO: (
        "video_visits_unavailable",
        "This facility does not offer video visits.",
    ),
    ClosedReason.PAST: ("date_past", "That day has passed."),
    ClosedReason.BEYOND_HORIZON: (
        "beyond_booking_horizon",
        "That day is too far ahead to book yet.",
    ),
    ClosedReason.BLACKOUT: ("date_blacked_out", "The facility has no video visits that day."),
    ClosedReason.NO_HOURS: ("no_visiting_hours", "The facility has no visiting hours that day."),
    ClosedReason.BEFORE_LEAD_TIME: (
        "before_booking_lead_time",
        "That visit starts too soon to be booked: choose a later time.",
    ),
}


class DayNotBookable(FailedPrecondition):
    """Nothing can be booked then, for `reason`."""

    def __init__(self, reason: ClosedReason) -> None:
        super().__init__(*_CLOSED[reason])
        self.reason = reason


class SlotNotOffered(InvalidArgument):
    def __init__(self) -> None:
        super().__init__(
            "slot_not_offered",
            "No visit starts then: choose one of the times the facility's availability lists.",
        )


class FacilityClosedNow(FailedPrecondition):
    def __init__(self) -> None:
        super().__init__(
            "facility_closed",
            "The facility is not open for video visits now (or closes before a visit would end).",
        )


@dataclass(frozen=True)
class VisitingHours:
    """A facility's video rules as of its settings."""

    settings: FacilitySettings

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.settings.time_zone)

    def local_date(self, at: datetime) -> date:
        return at.astimezone(self.zone).date()

    def instant(self, day: date, at: time) -> datetime:
        """The facility's local `at` on `day`, as a UTC instant."""
        return datetime.combine(day, at, self.zone).astimezone(UTC)

    def day_bounds(self, day: date) -> tuple[datetime, datetime]:
        """The local day's first and the next local day's first instants."""
        return self.instant(day, time(0)), self.instant(day + timedelta(days=1), time(0))

    def slot_length(self, slot_minutes: int) -> timedelta:
        """`slot_minutes` if the facility offers it (0: its shortest)."""
        offered = self.settings.video_slot_minutes
        if slot_minutes == 0:
            slot_minutes = offered[0]
        if slot_minutes not in offered:
            raise SlotLengthNotOffered(offered)
        return timedelta(minutes=slot_minutes)

    def windows(self, day: date) -> list[Slot]:
        """The day's visiting windows as instants, in order."""
        weekday = WEEKDAYS[day.weekday()]
        return sorted(
            (
                Slot(self.instant(day, window.opens), self.instant(day, window.closes))
                for window in self.settings.visiting_hours
                if window.day is weekday
            ),
            key=lambda window: window.starts_at,
        )

    def slots(self, day: date, length: timedelta) -> list[Slot]:
        """The day's slots of `length`, laid end to end from each window's opening."""
        slots: dict[datetime, Slot] = {}
        for window in self.windows(day):
            start = window.starts_at
            while start + length <= window.ends_at:
                slots.setdefault(start, Slot(start, start + length))
                start += length
        return sorted(slots.values(), key=lambda slot: slot.starts_at)

    def closed_reason(self, day: date, now: datetime) -> ClosedReason | None:
        """Why nothing can be booked on `day` at all, or None."""
        today = self.local_date(now)
        if self.settings.video_stations == 0:
            return ClosedReason.NO_VIDEO
        if day < today:
            return ClosedReason.PAST
        if day > today + timedelta(days=self.settings.video_booking_horizon_days):
            return ClosedReason.BEYOND_HORIZON
        if day in self.settings.video_blackout_dates:
            return ClosedReason.BLACKOUT
        if not self.windows(day):
            return ClosedReason.NO_HOURS
        return None

    def earliest_booking(self, now: datetime) -> datetime:
        """A scheduled visit starts no sooner than this (the lead time)."""
        return now + timedelta(minutes=self.settings.video_booking_lead_minutes)

    def bookable_slots(self, day: date, length: timedelta, now: datetime) -> list[Slot]:
        """The day's slots that may be booked at `now`; refused with the day's reason if none."""
        reason = self.closed_reason(day, now)
        if reason is not None:
            raise DayNotBookable(reason)
        earliest = self.earliest_booking(now)
        slots = [slot for slot in self.slots(day, length) if slot.starts_at >= earliest]
        if not slots:
            raise DayNotBookable(ClosedReason.BEFORE_LEAD_TIME)
        return slots

    def bookable_slot(self, starts_at: datetime, length: timedelta, now: datetime) -> Slot:
        """The slot starting at `starts_at`, if it may be booked at `now`."""
        slots = self.bookable_slots(self.local_date(starts_at), length, now)
        starts_at = starts_at.astimezone(UTC)
        for slot in slots:
            if slot.starts_at == starts_at:
                return slot
        if starts_at < self.earliest_booking(now) and any(
            slot.starts_at == starts_at for slot in self.slots(self.local_date(starts_at), length)
        ):
            raise DayNotBookable(ClosedReason.BEFORE_LEAD_TIME)
        raise SlotNotOffered()

    def direct_dial_slot(self, now: datetime) -> Slot:
        """A visit from `now` for the shortest slot, if the facility is open for all of it."""
        if self.settings.video_stations == 0:
            raise DayNotBookable(ClosedReason.NO_VIDEO)
        day = self.local_date(now)
        length = timedelta(minutes=self.settings.video_slot_minutes[0])
        if day not in self.settings.video_blackout_dates:
            for window in self.windows(day):
                if window.starts_at <= now and now + length <= window.ends_at:
                    return Slot(now, now + length)
        raise FacilityClosedNow()

"""Calendars: who is taken when, so that no station, resident or visitor is booked twice.

One calendar per owner and UTC day: a facility's station, a resident at a facility, a visitor.
A visit is written into the calendar of each of its three owners for every UTC day its window
touches, in the same save as the visit itself. Two bookings that could overlap therefore change
one calendar at the same version, and the store's unique (aggregate, version) key lets only one
of them be saved: the other is read again and sees the first (decision 0064).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import timedelta
from uuid import UUID

from eventsourcing.domain import Aggregate
from eventsourcing.domain import event

from kinlink_visitation.domain.ids import calendar_key


@dataclass(frozen=True)
class Booking:
    starts_at: datetime
    ends_at: datetime

    def overlaps(self, starts_at: datetime, ends_at: datetime) -> bool:
        return self.starts_at < ends_at and starts_at < self.ends_at


def station_owner(facility_id: str, station: int) -> str:
    return f"station/{facility_id}/{station}"


def resident_owner(facility_id: str, resident_id: str) -> str:
    return f"resident/{facility_id}/{resident_id}"


def visitor_owner(account_id: UUID) -> str:
    return f"visitor/{account_id}"


def days_of(starts_at: datetime, ends_at: datetime) -> Iterator[date]:
    """The UTC days a window [starts_at, ends_at) touches."""
    day = starts_at.astimezone(UTC).date()
    last = (ends_at.astimezone(UTC) - timedelta(microseconds=1)).date()
    while day <= last:
        yield day
        day += timedelta(days=1)


class Calendar(Aggregate):
    """One owner's bookings on one UTC day, by the key of the visit that made each."""

    class Opened(Aggregate.Created):
        owner: str
        day: str  # ISO, as stored events hold plain data

    class Booked(Aggregate.Event):
        visit_key: UUID
        starts_at: datetime
        ends_at: datetime

    class Released(Aggregate.Event):
        visit_key: UUID

    @staticmethod
    def create_id(owner: str, day: str) -> UUID:
        return calendar_key(owner, day)

    @classmethod
    def open(cls, owner: str, day: date) -> Calendar:
        return cls(owner=owner, day=day.isoformat())

    @event(Opened)
    def __init__(self, owner: str, day: str) -> None:
        self.owner = owner
        self.day = date.fromisoformat(day)
        self.bookings: dict[UUID, Booking] = {}

    def taken(self, starts_at: datetime, ends_at: datetime, but: UUID) -> bool:
        """Whether a visit other than `but` takes some of the window."""
        return any(
            booking.overlaps(starts_at, ends_at)
            for key, booking in self.bookings.items()
            if key != but
        )

    def book(self, visit_key: UUID, starts_at: datetime, ends_at: datetime) -> None:
        """The visit takes the window (its use case has checked it is free); again, nothing."""
        if visit_key not in self.bookings:
            self._booked(visit_key, starts_at, ends_at)

    @event(Booked)
    def _booked(self, visit_key: UUID, starts_at: datetime, ends_at: datetime) -> None:
        self.bookings[visit_key] = Booking(starts_at, ends_at)

    def release(self, visit_key: UUID) -> None:
        """The visit no longer takes its window (cancelled, ended or missed)."""
        if visit_key in self.bookings:
            self._released(visit_key)

    @event(Released)
    def _released(self, visit_key: UUID) -> None:
        del self.bookings[visit_key]

"""A facility's posting run on one local day: the orders waiting to be charged are charged, each
ending PAID or INCOMPLETE with the reason (FAQ: "you will be charged when the facility's orders
post"). A second run the same day (a rerun after a crash, an officer's click) is the same run
started again: the orders' own attempts keep every charge to one.
"""

from __future__ import annotations

from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta
from uuid import UUID
from uuid import uuid5
from zoneinfo import ZoneInfo

from eventsourcing.domain import Aggregate
from eventsourcing.domain import event
from kinlink_kit.errors import NotFound

_NAMESPACE = UUID("c41d7e09-3b5f-4a28-8f6e-9a0b2c7d1e53")
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


class PostingRunNotFound(NotFound):
    def __init__(self) -> None:
        super().__init__("posting_run_not_found", "No posting run on that day at this facility.")


def local_run_date(time_zone: str, at: datetime) -> date:
    """The facility's own day at `at`: a run is named by the day its residents live."""
    return at.astimezone(ZoneInfo(time_zone)).date()


def due_run_date(
    posting_day: str, posting_time: time, time_zone: str, now: datetime
) -> date | None:
    """The local day whose scheduled run is due at `now` (its posting day, from its posting
    time to midnight), or None."""
    local = now.astimezone(ZoneInfo(time_zone))
    if WEEKDAYS[local.weekday()] != posting_day or local.time() < posting_time:
        return None
    return local.date()


def next_posting(posting_day: str, posting_time: time, time_zone: str, now: datetime) -> datetime:
    """When the facility's orders post next after `now`, as a UTC instant (for the family)."""
    zone = ZoneInfo(time_zone)
    local = now.astimezone(zone)
    ahead = (WEEKDAYS.index(posting_day) - local.weekday()) % 7
    for days in (ahead, ahead + 7):
        at = datetime.combine(local.date() + timedelta(days=days), posting_time, zone)
        if at > local:
            return at.astimezone(UTC)
    raise AssertionError("a week always holds a posting day")


class PostingRun(Aggregate):
    class Started(Aggregate.Created):
        facility_id: str
        run_date: str  # ISO: stored events hold plain data
        started_at: datetime

    class Restarted(Aggregate.Event):
        started_at: datetime

    class Finished(Aggregate.Event):
        orders_total: int
        paid: int
        incomplete: int
        still_processing: int
        finished_at: datetime

    @staticmethod
    def create_id(facility_id: str, run_date: date) -> UUID:
        return uuid5(_NAMESPACE, f"posting-run/{facility_id}/{run_date.isoformat()}")

    @classmethod
    def start(cls, facility_id: str, run_date: date, at: datetime) -> PostingRun:
        return cls._create(
            cls.Started,
            id=cls.create_id(facility_id, run_date),
            facility_id=facility_id,
            run_date=run_date.isoformat(),
            started_at=at.astimezone(UTC),
        )

    @event(Started)
    def __init__(self, facility_id: str, run_date: str, started_at: datetime) -> None:
        self.facility_id = facility_id
        self.run_date = date.fromisoformat(run_date)
        self.started_at = started_at
        self.finished_at: datetime | None = None
        self.orders_total = 0
        self.paid = 0
        self.incomplete = 0
        self.still_processing = 0

    @property
    def finished(self) -> bool:
        return self.finished_at is not None

    def restart(self, at: datetime) -> None:
        self._restarted(at.astimezone(UTC))

    @event(Restarted)
    def _restarted(self, started_at: datetime) -> None:
        self.started_at = started_at
        self.finished_at = None

    def finish(
        self, orders_total: int, paid: int, incomplete: int, still_processing: int, at: datetime
    ) -> None:
        """What this pass found: orders charged now or by an earlier pass of the day count
        as paid; those whose answer did not come are still processing (the sweep asks again)."""
        self._finished(orders_total, paid, incomplete, still_processing, at.astimezone(UTC))

    @event(Finished)
    def _finished(
        self,
        orders_total: int,
        paid: int,
        incomplete: int,
        still_processing: int,
        finished_at: datetime,
    ) -> None:
        self.orders_total = orders_total
        self.paid = paid
        self.incomplete = incomplete
        self.still_processing = still_processing
        self.finished_at = finished_at

"""A resident's deposit week: what has been reserved against the facility's weekly limit.

The limit holds across all depositors. Every reservation of a resident's week goes through this
one aggregate, so two concurrent deposits collide on its version in the store and one retries:
the sum can never pass the limit.
"""

from __future__ import annotations

from datetime import date
from uuid import UUID

from eventsourcing.domain import Aggregate
from eventsourcing.domain import event

from kinlink_ledger.domain.ids import resident_week_id
from kinlink_ledger.domain.money import Cents


class WeeklyLimitExceeded(Exception):
    pass


class ResidentWeek(Aggregate):
    @staticmethod
    def create_id(facility_id: str, resident_id: str, week_start: str) -> UUID:
        return resident_week_id(facility_id, resident_id, date.fromisoformat(week_start))

    @event("Opened")
    def __init__(self, facility_id: str, resident_id: str, week_start: str) -> None:
        self.facility_id = facility_id
        self.resident_id = resident_id
        self.week_start = week_start
        self.reservations: dict[str, Cents] = {}

    @property
    def reserved(self) -> Cents:
        return Cents(sum(self.reservations.values()))

    def remaining(self, limit: Cents) -> Cents:
        return Cents(max(0, limit - self.reserved))

    def reserve(self, deposit_id: str, amount: Cents, limit: Cents) -> None:
        if deposit_id in self.reservations:
            return
        if amount > self.remaining(limit):
            raise WeeklyLimitExceeded
        self._reserved(deposit_id, amount)

    @event("Reserved")
    def _reserved(self, deposit_id: str, amount: Cents) -> None:
        self.reservations[deposit_id] = amount

    def release(self, deposit_id: str) -> None:
        if deposit_id in self.reservations:
            self._released(deposit_id)

    @event("Released")
    def _released(self, deposit_id: str) -> None:
        del self.reservations[deposit_id]

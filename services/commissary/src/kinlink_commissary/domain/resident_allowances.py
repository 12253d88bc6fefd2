"""The allowances given to one resident at one facility, oldest first: the order in which they
pay the resident's purchases. Saved with each new allowance in one transaction, so a purchase
reported the moment after an allowance is created already finds it."""

from __future__ import annotations

from uuid import UUID

from eventsourcing.domain import Aggregate
from eventsourcing.domain import event

from kinlink_commissary.domain.ids import resident_allowances_id


class ResidentAllowances(Aggregate):
    @staticmethod
    def create_id(facility_id: str, resident_id: str) -> UUID:
        return resident_allowances_id(facility_id, resident_id)

    @event("Started")
    def __init__(self, facility_id: str, resident_id: str) -> None:
        self.facility_id = facility_id
        self.resident_id = resident_id
        self.allowance_ids: list[UUID] = []

    @event("Added")
    def add(self, allowance_id: UUID) -> None:
        self.allowance_ids.append(allowance_id)

"""Deposit histories: the deposits of one depositor, or of one resident, oldest first."""

from __future__ import annotations

from uuid import UUID

from eventsourcing.domain import Aggregate, event

from kinlink_ledger.domain.ids import history_id


def depositor_owner(depositor_id: str) -> str:
    return f"depositor/{depositor_id}"


def resident_owner(facility_id: str, resident_id: str) -> str:
    return f"resident/{facility_id}/{resident_id}"


class DepositHistory(Aggregate):
    @staticmethod
    def create_id(owner: str) -> UUID:
        return history_id(owner)

    @event("Started")
    def __init__(self, owner: str) -> None:
        self.owner = owner
        self.deposit_ids: list[UUID] = []

    @event("DepositAdded")
    def add(self, deposit_id: UUID) -> None:
        self.deposit_ids.append(deposit_id)

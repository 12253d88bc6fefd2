"""An idempotency key, claimed by the first deposit confirmed with it."""

from __future__ import annotations

from uuid import UUID

from eventsourcing.domain import Aggregate
from eventsourcing.domain import event

from kinlink_ledger.domain.ids import idempotency_claim_id


class IdempotencyClaim(Aggregate):
    @staticmethod
    def create_id(depositor_id: str, idempotency_key: str, **_: object) -> UUID:
        return idempotency_claim_id(depositor_id, idempotency_key)

    @event("Claimed")
    def __init__(self, depositor_id: str, idempotency_key: str, deposit_id: UUID) -> None:
        self.depositor_id = depositor_id
        self.idempotency_key = idempotency_key
        self.deposit_id = deposit_id

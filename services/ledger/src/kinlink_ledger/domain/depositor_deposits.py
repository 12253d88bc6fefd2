"""What one depositor asked to deposit in the last 30 days, at every facility: the consistency
boundary of the ID-verification threshold.

Every deposit request records itself here in the transaction that saves it, so two confirmations
by one depositor at the same moment collide on this aggregate's version and the second checks
the threshold again with the first counted: together they cannot pass it unverified.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from eventsourcing.domain import Aggregate
from eventsourcing.domain import event

from kinlink_ledger.domain.facility import ID_VERIFICATION_WINDOW
from kinlink_ledger.domain.ids import depositor_deposits_id
from kinlink_ledger.domain.money import Cents


class DepositorDeposits(Aggregate):
    @staticmethod
    def create_id(depositor_id: str) -> UUID:
        return depositor_deposits_id(depositor_id)

    @event("Opened")
    def __init__(self, depositor_id: str) -> None:
        self.depositor_id = depositor_id
        self.requests: dict[str, tuple[Cents, datetime]] = {}  # deposit id -> amount, when

    def recorded(self, deposit_id: UUID) -> bool:
        return str(deposit_id) in self.requests

    def amounts_since(self, since: datetime) -> dict[str, Cents]:
        return {key: amount for key, (amount, at) in self.requests.items() if at >= since}

    def record(self, deposit_id: UUID, amount: Cents, requested_at: datetime) -> None:
        if not self.recorded(deposit_id):
            self._requested(str(deposit_id), amount, requested_at)

    @event("Requested")
    def _requested(self, deposit_id: str, amount: Cents, requested_at: datetime) -> None:
        # Requests older than the window never count again: they are not kept.
        since = requested_at - ID_VERIFICATION_WINDOW
        self.requests = {k: v for k, v in self.requests.items() if v[1] >= since}
        self.requests[deposit_id] = (amount, requested_at)

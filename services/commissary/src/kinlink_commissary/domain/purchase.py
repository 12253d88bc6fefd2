"""A commissary purchase a facility reported for a resident, and what each allowance paid of it.

Requirements "What is a Commissary Allowance": when the resident orders commissary the allowance
is used before the resident's commissary balance. The resident's ACTIVE allowances at the
facility pay first, oldest first, each at most what it has left; the rest is paid from the
resident's own balance at the facility, which is not the platform's. Recorded once per
(facility, order reference): a purchase reported again pays nothing more.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from uuid import UUID

from eventsourcing.domain import Aggregate
from eventsourcing.domain import event

from kinlink_commissary.domain.allowance import Allowance
from kinlink_commissary.domain.ids import purchase_id


class Purchase(Aggregate):
    @staticmethod
    def create_id(facility_id: str, order_reference: str, **_: object) -> UUID:
        return purchase_id(facility_id, order_reference)

    @event("Reported")
    def __init__(
        self,
        facility_id: str,
        order_reference: str,
        resident_id: str,
        amount_cents: int,
        purchased_at: datetime,
        paid_by_allowances: dict[str, int],
    ) -> None:
        self.facility_id = facility_id
        self.order_reference = order_reference
        self.resident_id = resident_id
        self.amount_cents = amount_cents
        self.purchased_at = purchased_at
        # Allowance id (as text: stored events hold plain data) -> the part it paid.
        self.paid_by_allowances = paid_by_allowances

    @classmethod
    def paid_from(
        cls,
        facility_id: str,
        order_reference: str,
        resident_id: str,
        amount_cents: int,
        purchased_at: datetime,
        allowances: Iterable[Allowance],
    ) -> Purchase:
        """The purchase, paid first from `allowances` in their order, each changed by what it
        paid (save them with it)."""
        paid: dict[str, int] = {}
        due = amount_cents
        for allowance in allowances:
            if due == 0:
                break
            part = allowance.pay(order_reference, due, purchased_at)
            if part:
                paid[str(allowance.allowance_id)] = part
                due -= part
        return cls(
            facility_id=facility_id,
            order_reference=order_reference,
            resident_id=resident_id,
            amount_cents=amount_cents,
            purchased_at=purchased_at,
            paid_by_allowances=paid,
        )

    @property
    def from_own_balance_cents(self) -> int:
        return self.amount_cents - sum(self.paid_by_allowances.values())

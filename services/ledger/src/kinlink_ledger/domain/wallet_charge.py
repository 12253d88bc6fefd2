"""One charge to a messaging wallet, made once per caller's reference.

Its id derives from the account and the reference, so a repeated charge (a retried message, a
redelivered event) collides in the store and finds the first one instead of paying twice. It
records what was charged for, at which price, how it was paid and the journal entry.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from eventsourcing.domain import Aggregate
from eventsourcing.domain import event

from kinlink_ledger.domain import journal
from kinlink_ledger.domain.facility import ServiceKind
from kinlink_ledger.domain.ids import wallet_charge_id
from kinlink_ledger.domain.journal import Entry
from kinlink_ledger.domain.money import Cents


class WalletCharge(Aggregate):
    class Made(Aggregate.Created):
        account_id: UUID
        reference: str
        facility_id: str
        kind: str
        quantity: int
        unit_price: int
        amount: int
        from_credits: int
        from_funds: int
        balance_after: int
        made_at: datetime
        entry: Entry

    @staticmethod
    def create_id(account_id: UUID, reference: str, **_: object) -> UUID:
        return wallet_charge_id(account_id, reference)

    @classmethod
    def make(
        cls,
        account_id: UUID,
        reference: str,
        facility_id: str,
        kind: ServiceKind,
        quantity: int,
        unit_price: Cents,
        paid: tuple[Cents, Cents],
        balance_after: Cents,
        made_at: datetime,
    ) -> WalletCharge:
        """`paid` is (from operators' credits, from card-funded credit)."""
        from_credits, from_funds = paid
        amount = unit_price * quantity
        return cls(
            account_id=account_id,
            reference=reference,
            facility_id=facility_id,
            kind=kind.value,
            quantity=quantity,
            unit_price=unit_price,
            amount=amount,
            from_credits=from_credits,
            from_funds=from_funds,
            balance_after=balance_after,
            made_at=made_at,
            entry=journal.entry(
                journal.debit(journal.credits(account_id), from_credits),
                journal.debit(journal.wallet(account_id), from_funds),
                journal.credit(journal.service_revenue(facility_id, kind.value), amount),
            ),
        )

    @event(Made)
    def __init__(
        self,
        account_id: UUID,
        reference: str,
        facility_id: str,
        kind: str,
        quantity: int,
        unit_price: int,
        amount: int,
        from_credits: int,
        from_funds: int,
        balance_after: int,
        made_at: datetime,
        entry: Entry,
    ) -> None:
        self.account_id = account_id
        self.reference = reference
        self.facility_id = facility_id
        self.kind = ServiceKind(kind)
        self.quantity = quantity
        self.unit_price = Cents(unit_price)
        self.amount = Cents(amount)
        self.from_credits = Cents(from_credits)
        self.from_funds = Cents(from_funds)
        self.balance_after = Cents(balance_after)
        self.made_at = made_at

    def same_request(self, facility_id: str, kind: ServiceKind, quantity: int) -> bool:
        return (self.facility_id, self.kind, self.quantity) == (facility_id, kind, quantity)

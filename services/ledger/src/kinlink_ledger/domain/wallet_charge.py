"""One charge to a messaging wallet, made once per caller's reference, and refunded at most once.

Its id derives from the account and the reference, so a repeated charge (a retried message, a
redelivered event) collides in the store and finds the first one instead of paying twice. It
records what was charged for (one or more items, e.g. a message and its images, paid all or
nothing), at which prices, how it was paid and the journal entry. A refund gives back exactly
what the charge took, to where it came from (decision 0034).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate
from eventsourcing.domain import event
from kinlink_kit.errors import NotFound

from kinlink_ledger.domain import journal
from kinlink_ledger.domain.facility import ServiceKind
from kinlink_ledger.domain.ids import wallet_charge_id
from kinlink_ledger.domain.journal import Entry
from kinlink_ledger.domain.money import Cents


class ChargeNotFound(NotFound):
    def __init__(self) -> None:
        super().__init__("charge_not_found", "No charge has this reference for this account.")


@dataclass(frozen=True)
class ChargedItem:
    """Part of a charge: `quantity` units of one kind at the facility's unit price."""

    kind: ServiceKind
    quantity: int
    unit_price: Cents

    @property
    def amount(self) -> Cents:
        return Cents(self.unit_price * self.quantity)

    def recorded(self) -> dict[str, Any]:
        return {"kind": self.kind.value, "quantity": self.quantity, "unit_price": self.unit_price}

    @classmethod
    def of_record(cls, record: dict[str, Any]) -> ChargedItem:
        return cls(ServiceKind(record["kind"]), record["quantity"], Cents(record["unit_price"]))


@dataclass(frozen=True)
class Refund:
    reason: str
    refunded_at: datetime


Side = Callable[[str, int], tuple[str, int]]  # journal.debit or journal.credit


def _revenue(side: Side, facility_id: str, items: tuple[ChargedItem, ...]) -> list[tuple[str, int]]:
    """The lines of the facility's revenue from each kind of item charged."""
    return [side(journal.service_revenue(facility_id, item.kind), item.amount) for item in items]


class WalletCharge(Aggregate):
    class Made(Aggregate.Created):
        account_id: UUID
        reference: str
        facility_id: str
        items: list[dict[str, Any]]
        amount: int
        from_credits: int
        from_funds: int
        balance_after: int
        made_at: datetime
        entry: Entry

        # Version 1 charged one kind: its kind, quantity and unit price become its one item.
        class_version = 2

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["items"] = [
                {
                    "kind": state.pop("kind"),
                    "quantity": state.pop("quantity"),
                    "unit_price": state.pop("unit_price"),
                }
            ]

    # Recorded with the wallet's `Restored` in one transaction: what the charge took goes back
    # to the credit it came from, and the facility's revenue gives it up.
    class Refunded(Aggregate.Event):
        account_id: UUID
        reference: str
        facility_id: str
        amount: int
        reason: str
        refunded_at: datetime
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
        items: tuple[ChargedItem, ...],
        paid: tuple[Cents, Cents],
        balance_after: Cents,
        made_at: datetime,
    ) -> WalletCharge:
        """`paid` is (from operators' credits, from card-funded credit)."""
        from_credits, from_funds = paid
        return cls(
            account_id=account_id,
            reference=reference,
            facility_id=facility_id,
            items=[item.recorded() for item in items],
            amount=sum(item.amount for item in items),
            from_credits=from_credits,
            from_funds=from_funds,
            balance_after=balance_after,
            made_at=made_at,
            entry=journal.entry(
                journal.debit(journal.credits(account_id), from_credits),
                journal.debit(journal.wallet(account_id), from_funds),
                *_revenue(journal.credit, facility_id, items),
            ),
        )

    @event(Made)
    def __init__(
        self,
        account_id: UUID,
        reference: str,
        facility_id: str,
        items: list[dict[str, Any]],
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
        self.items = tuple(ChargedItem.of_record(item) for item in items)
        self.amount = Cents(amount)
        self.from_credits = Cents(from_credits)
        self.from_funds = Cents(from_funds)
        self.balance_after = Cents(balance_after)
        self.made_at = made_at
        self.refund: Refund | None = None

    def same_request(self, facility_id: str, items: tuple[tuple[ServiceKind, int], ...]) -> bool:
        """Whether this charge is for the same things: kinds and quantities, in any order (a
        price changed since does not make a repeat another request)."""
        charged = {item.kind: item.quantity for item in self.items}
        return (self.facility_id, charged) == (facility_id, dict(items))

    def refunded(self, reason: str, now: datetime) -> None:
        """Gives back what was taken; the caller checks `refund` first, as a second refund is
        the first one's answer."""
        assert self.refund is None
        self._refunded(
            self.account_id,
            self.reference,
            self.facility_id,
            self.amount,
            reason,
            now,
            journal.entry(
                *_revenue(journal.debit, self.facility_id, self.items),
                journal.credit(journal.credits(self.account_id), self.from_credits),
                journal.credit(journal.wallet(self.account_id), self.from_funds),
            ),
        )

    @event(Refunded)
    def _refunded(
        self,
        account_id: UUID,
        reference: str,
        facility_id: str,
        amount: int,
        reason: str,
        refunded_at: datetime,
        entry: Entry,
    ) -> None:
        self.refund = Refund(reason, refunded_at)

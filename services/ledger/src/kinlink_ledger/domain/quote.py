"""A deposit quote: fee, total and what the week still allows, valid for 15 minutes."""

from __future__ import annotations

from datetime import datetime
from datetime import timedelta

from eventsourcing.domain import Aggregate
from eventsourcing.domain import event
from kinlink_kit.errors import NotFound

from kinlink_ledger.domain.money import Cents

QUOTE_LIFETIME = timedelta(minutes=15)


class QuoteNotFound(NotFound):
    """Also what another family member's quote is to its caller."""

    def __init__(self) -> None:
        super().__init__("quote_not_found", "No such quote.")


class DepositQuote(Aggregate):
    @event("Issued")
    def __init__(
        self,
        facility_id: str,
        resident_id: str,
        depositor_id: str,
        amount: Cents,
        fee: Cents,
        weekly_limit: Cents,
        weekly_remaining: Cents,
        expires_at: datetime,
    ) -> None:
        self.facility_id = facility_id
        self.resident_id = resident_id
        self.depositor_id = depositor_id
        self.amount = amount
        self.fee = fee
        self.weekly_limit = weekly_limit
        self.weekly_remaining = weekly_remaining
        self.expires_at = expires_at

    @property
    def total(self) -> Cents:
        return Cents(self.amount + self.fee)

    def has_expired(self, now: datetime) -> bool:
        return now >= self.expires_at

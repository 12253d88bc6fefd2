"""A deposit to a resident's account: requested, then captured or declined, then posted."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from uuid import UUID

from eventsourcing.domain import Aggregate
from eventsourcing.domain import event
from kinlink_contracts.ledger import DeclineReason
from kinlink_kit.errors import NotFound

from kinlink_ledger.domain import journal
from kinlink_ledger.domain import receipt
from kinlink_ledger.domain.ids import deposit_id
from kinlink_ledger.domain.journal import Entry
from kinlink_ledger.domain.money import Cents


class DepositStatus(StrEnum):
    PENDING = "pending"
    CAPTURED = "captured"
    DECLINED = "declined"
    POSTED = "posted"


class DepositNotFound(NotFound):
    """Also what a deposit is to a caller who may not see it."""

    def __init__(self) -> None:
        super().__init__("deposit_not_found", "No such deposit.")


class Deposit(Aggregate):
    # The events, declared so that projections and mappers can name them.
    class Requested(Aggregate.Created):
        quote_id: UUID
        facility_id: str
        resident_id: str
        depositor_id: str
        amount: Cents
        fee: Cents
        week_start: str
        payment_method: str
        requested_at: datetime
        correlation_id: str

    # The processor's payment was created; the card is charged by confirming it by this
    # reference, so a charge whose answer was lost is looked up, never made again.
    class PaymentStarted(Aggregate.Event):
        payment_reference: str

    class Captured(Aggregate.Event):
        payment_reference: str
        captured_at: datetime
        # The card pays amount and fee: the amount is owed to the resident's trust account,
        # the fee is the facility's revenue.
        entry: Entry

    class Declined(Aggregate.Event):
        reason: DeclineReason

    class Posted(Aggregate.Event):
        posted_reference: str

    @staticmethod
    def create_id(quote_id: UUID, **_: object) -> UUID:
        return deposit_id(quote_id)

    @event(Requested)
    def __init__(
        self,
        quote_id: UUID,
        facility_id: str,
        resident_id: str,
        depositor_id: str,
        amount: Cents,
        fee: Cents,
        week_start: str,
        payment_method: str,
        requested_at: datetime,
        correlation_id: str,
    ) -> None:
        self.quote_id = quote_id
        self.facility_id = facility_id
        self.resident_id = resident_id
        self.depositor_id = depositor_id
        self.amount = amount
        self.fee = fee
        self.week_start = week_start
        self.payment_method = payment_method
        self.requested_at = requested_at
        self.correlation_id = correlation_id
        self.status = DepositStatus.PENDING
        self.decline_reason: DeclineReason | None = None
        self.payment_reference: str | None = None
        self.captured_at: datetime | None = None
        self.posted_reference: str | None = None

    @property
    def total(self) -> Cents:
        return Cents(self.amount + self.fee)

    @property
    def receipt_number(self) -> str:
        return self.receipt_number_of(self.id)

    @staticmethod
    def receipt_number_of(deposit_id: UUID) -> str:
        return receipt.receipt_number(deposit_id)

    @event(PaymentStarted)
    def payment_started(self, payment_reference: str) -> None:
        self.payment_reference = payment_reference

    def capture(self, payment_reference: str, captured_at: datetime) -> None:
        self._captured(
            payment_reference,
            captured_at,
            journal.entry(
                journal.debit(journal.CARD_CLEARING, self.total),
                journal.credit(journal.resident_trust(self.facility_id), self.amount),
                journal.credit(journal.fee_revenue(self.facility_id), self.fee),
            ),
        )

    @event(Captured)
    def _captured(self, payment_reference: str, captured_at: datetime, entry: Entry) -> None:
        self.status = DepositStatus.CAPTURED
        self.payment_reference = payment_reference
        self.captured_at = captured_at

    @event(Declined)
    def decline(self, reason: DeclineReason) -> None:
        self.status = DepositStatus.DECLINED
        self.decline_reason = DeclineReason(reason)  # stored events hold the plain string

    def post(self, posted_reference: str) -> None:
        """The facility credited the resident; only a captured deposit can be posted."""
        if self.status is DepositStatus.CAPTURED:
            self._posted(posted_reference)

    @event(Posted)
    def _posted(self, posted_reference: str) -> None:
        self.status = DepositStatus.POSTED
        self.posted_reference = posted_reference

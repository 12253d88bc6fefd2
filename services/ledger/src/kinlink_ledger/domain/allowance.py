"""A commissary allowance: a hold on a family's card that pays for a resident's commissary orders.

Requirements "What is a Commissary Allowance": it can only be used for commissary, and when the
resident uses only some of it, the rest is removed and only what they used is charged to the card.
So the card is held for the allowance (authorised, not captured); the commissary reports each order
the allowance paid, and each order counts once against what is left: an order above that is covered
up to it, and its excess recorded, never captured. When the allowance ends (the family or the
commissary ends it, or its hold is about to expire) what was used is captured and the rest released:
nothing stays held on the card and the allowance's `allowance_hold` account (named by the
commissary's allowance id) is zero.

What was used is captured once, at the end, not order by order: Stripe captures a hold several
times only with multicapture, which it offers on IC+ pricing alone and grants charge by charge,
and without it a partial capture ends the hold. One capture per hold also means a retried
capture can never take money twice. Ending is two steps, so that a retry after the processor
failed mid-way asks it the very same thing: first the amount to capture is settled (`begin_end`;
orders reported after that are not covered), then the processor's work is recorded (`settle`).
"""

from __future__ import annotations

from datetime import datetime
from datetime import timedelta
from enum import StrEnum
from uuid import UUID

from eventsourcing.domain import Aggregate
from eventsourcing.domain import event
from kinlink_contracts.ledger import DeclineReason
from kinlink_kit.errors import NotFound

from kinlink_ledger.domain import journal
from kinlink_ledger.domain import receipt
from kinlink_ledger.domain.ids import commissary_allowance_id
from kinlink_ledger.domain.journal import Entry
from kinlink_ledger.domain.money import Cents
from kinlink_ledger.domain.payments import ChargeOutcome

# Stripe cancels a PaymentIntent left uncaptured 7 days after it was created.
HOLD_LIFETIME = timedelta(days=7)
# The service whose revenue an allowance's orders are (journal: service_revenue:<facility>:<kind>).
COMMISSARY = "commissary"


class AllowanceStatus(StrEnum):
    AUTHORIZED = "authorized"
    DECLINED = "declined"
    # What to capture is settled; the processor's capture or release is under way.
    ENDING = "ending"
    ENDED = "ended"


class AllowanceNotFound(NotFound):
    """Also what an allowance is to a caller who may not have it."""

    def __init__(self) -> None:
        super().__init__("allowance_not_found", "No such allowance.")


class CommissaryAllowance(Aggregate):
    # Requested comes with the processor's answer, Authorized or Declined, in one transaction.
    class Requested(Aggregate.Created):
        allowance_id: UUID
        account_id: UUID
        facility_id: str
        resident_id: str
        amount: int
        payment_method: str
        requested_at: datetime

    class Authorized(Aggregate.Event):
        payment_reference: str
        authorized_at: datetime
        entry: Entry

    class Declined(Aggregate.Event):
        reason: str

    class Consumed(Aggregate.Event):
        order_id: str
        amount: int  # what the commissary reported
        covered: int  # what the allowance pays of it: at most what was left

    class EndBegun(Aggregate.Event):
        to_capture: int

    class Captured(Aggregate.Event):
        amount: int
        payment_reference: str
        captured_at: datetime
        entry: Entry

    class Released(Aggregate.Event):
        amount: int
        entry: Entry

    class Ended(Aggregate.Event):
        ended_at: datetime

    @staticmethod
    def create_id(allowance_id: UUID, **_: object) -> UUID:
        return commissary_allowance_id(allowance_id)

    @classmethod
    def answered(
        cls,
        allowance_id: UUID,
        account_id: UUID,
        facility_id: str,
        resident_id: str,
        amount: Cents,
        payment_method: str,
        outcome: ChargeOutcome,
        now: datetime,
    ) -> CommissaryAllowance:
        """The allowance as the processor answered its hold: authorised, or declined."""
        allowance = cls(
            allowance_id=allowance_id,
            account_id=account_id,
            facility_id=facility_id,
            resident_id=resident_id,
            amount=amount,
            payment_method=payment_method,
            requested_at=now,
        )
        if outcome.decline_reason is not None:
            allowance._declined(outcome.decline_reason.value)
        else:
            # No payer is there to answer a challenge: the processor declines instead.
            assert outcome.reference is not None and not outcome.awaiting_authentication
            allowance._authorized(
                outcome.reference,
                now,
                journal.entry(
                    journal.debit(journal.CARD_HOLDS, amount),
                    journal.credit(journal.allowance_hold(allowance_id), amount),
                ),
            )
        return allowance

    @event(Requested)
    def __init__(
        self,
        allowance_id: UUID,
        account_id: UUID,
        facility_id: str,
        resident_id: str,
        amount: int,
        payment_method: str,
        requested_at: datetime,
    ) -> None:
        self.allowance_id = allowance_id
        self.account_id = account_id
        self.facility_id = facility_id
        self.resident_id = resident_id
        self.amount = Cents(amount)
        self.payment_method = payment_method
        self.requested_at = requested_at
        # Nothing is held until the processor's hold is recorded, in this same transaction.
        self.status = AllowanceStatus.DECLINED
        self.decline_reason: DeclineReason | None = None
        self.payment_reference: str | None = None
        self.authorized_at: datetime | None = None
        self.covered: dict[str, Cents] = {}  # order id -> what the allowance paid of it
        self.to_capture = Cents(0)
        self.captured = Cents(0)
        self.released = Cents(0)

    @event(Authorized)
    def _authorized(self, payment_reference: str, authorized_at: datetime, entry: Entry) -> None:
        self.status = AllowanceStatus.AUTHORIZED
        self.payment_reference = payment_reference
        self.authorized_at = authorized_at

    @event(Declined)
    def _declined(self, reason: str) -> None:
        self.status = AllowanceStatus.DECLINED
        self.decline_reason = DeclineReason(reason)

    @property
    def authorized(self) -> Cents:
        return self.amount if self.authorized_at is not None else Cents(0)

    @property
    def used(self) -> Cents:
        return Cents(sum(self.covered.values()))

    @property
    def left(self) -> Cents:
        """What orders may still take: nothing once the allowance is ending or ended."""
        if self.status is not AllowanceStatus.AUTHORIZED:
            return Cents(0)
        return Cents(self.amount - self.used)

    @property
    def hold_expires_at(self) -> datetime | None:
        return self.authorized_at + HOLD_LIFETIME if self.authorized_at is not None else None

    @property
    def receipt_number(self) -> str | None:
        """The receipt of what was captured; none before, nor for an allowance nothing was used of
        (nothing was charged)."""
        return self.receipt_number_of(self.id) if self.captured else None

    @staticmethod
    def receipt_number_of(aggregate_id: UUID) -> str:
        return receipt.receipt_number(aggregate_id)

    @property
    def capture_key(self) -> str:
        """The processor's idempotency key for the allowance's one capture."""
        return f"{self.id}/capture"

    def same_request(
        self,
        account_id: UUID,
        facility_id: str,
        resident_id: str,
        amount: Cents,
        payment_method: str,
    ) -> bool:
        return (
            self.account_id,
            self.facility_id,
            self.resident_id,
            self.amount,
            self.payment_method,
        ) == (account_id, facility_id, resident_id, amount, payment_method)

    def consume(self, order_id: str, amount: Cents) -> Cents:
        """Pay the order from what is left, once per order; returns what it does not cover (0
        for an order already counted)."""
        if order_id in self.covered:
            return Cents(0)
        covered = Cents(min(amount, self.left))
        self._consumed(order_id, amount, covered)
        return Cents(amount - covered)

    @event(Consumed)
    def _consumed(self, order_id: str, amount: int, covered: int) -> None:
        self.covered[order_id] = Cents(covered)

    def begin_end(self) -> None:
        """Settle what to capture (what was used) before the processor is asked; an allowance
        that is not authorised, or already ending, is left as it is."""
        if self.status is AllowanceStatus.AUTHORIZED:
            self._end_begun(self.used)

    @event(EndBegun)
    def _end_begun(self, to_capture: int) -> None:
        self.status = AllowanceStatus.ENDING
        self.to_capture = Cents(to_capture)

    def settle(self, now: datetime) -> None:
        """The processor captured `to_capture` and released the rest (or released it all)."""
        if self.status is not AllowanceStatus.ENDING:
            return
        assert self.payment_reference is not None
        hold = journal.allowance_hold(self.allowance_id)
        if self.to_capture:
            self._captured(
                self.to_capture,
                self.payment_reference,
                now,
                journal.entry(
                    journal.debit(journal.CARD_CLEARING, self.to_capture),
                    journal.credit(journal.CARD_HOLDS, self.to_capture),
                    journal.debit(hold, self.to_capture),
                    journal.credit(
                        journal.service_revenue(self.facility_id, COMMISSARY), self.to_capture
                    ),
                ),
            )
        rest = self.amount - self.to_capture
        if rest:
            self._released(
                rest,
                journal.entry(journal.debit(hold, rest), journal.credit(journal.CARD_HOLDS, rest)),
            )
        self._ended(now)

    @event(Captured)
    def _captured(
        self, amount: int, payment_reference: str, captured_at: datetime, entry: Entry
    ) -> None:
        self.captured = Cents(amount)

    @event(Released)
    def _released(self, amount: int, entry: Entry) -> None:
        self.released = Cents(amount)

    @event(Ended)
    def _ended(self, ended_at: datetime) -> None:
        self.status = AllowanceStatus.ENDED

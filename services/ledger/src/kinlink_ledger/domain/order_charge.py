"""A commissary order's charge: the attempts the commissary made to charge the family's card for
one order, of which at most one is ever captured (requirements "Commissary Pack Refunds": all
sales are final, and an order is paid once).

Each attempt is recorded first (pending), then the processor charges the card (captured at once)
under the key `<id>/<attempt>`, then its answer is recorded: an attempt left pending by a crash or
a lost answer is finished through the payment it recorded, never a new one. A new attempt is
begun only when no other is pending and none was captured, so two payments of one order are
never under way at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import replace
from datetime import datetime
from enum import StrEnum
from uuid import UUID

from eventsourcing.domain import Aggregate
from eventsourcing.domain import event
from kinlink_contracts.ledger import DeclineReason
from kinlink_kit.errors import ClientError
from kinlink_kit.errors import ErrorKind
from kinlink_kit.errors import NotFound

from kinlink_ledger.domain import journal
from kinlink_ledger.domain import receipt
from kinlink_ledger.domain.allowance import COMMISSARY
from kinlink_ledger.domain.ids import order_charge_id
from kinlink_ledger.domain.money import Cents


class AttemptStatus(StrEnum):
    PENDING = "pending"
    CAPTURED = "captured"
    DECLINED = "declined"


class OrderChargeNotFound(NotFound):
    def __init__(self) -> None:
        super().__init__("order_charge_not_found", "No charge was asked for this order.")


class ChargeInProgress(ClientError):
    """Another attempt on the order is under way: ask again once it is answered."""

    kind = ErrorKind.ABORTED

    def __init__(self) -> None:
        super().__init__(
            "charge_in_progress",
            "Another attempt to charge this order is under way; ask again in a moment.",
        )


@dataclass(frozen=True)
class Attempt:
    number: int
    amount: Cents
    payment_method: str
    started_at: datetime
    status: AttemptStatus = AttemptStatus.PENDING
    payment_reference: str | None = None
    decline_reason: DeclineReason | None = None
    charged_at: datetime | None = None  # when captured or declined


class OrderCharge(Aggregate):
    class Opened(Aggregate.Created):
        order_id: UUID
        account_id: UUID
        facility_id: str
        resident_id: str

    class AttemptBegun(Aggregate.Event):
        attempt: int
        amount: int
        payment_method: str
        started_at: datetime

    # The processor's payment was created; the card is charged by confirming it by this
    # reference, so an attempt whose answer was lost is looked up, never charged again.
    class PaymentStarted(Aggregate.Event):
        attempt: int
        payment_reference: str

    class Captured(Aggregate.Event):
        attempt: int
        amount: int
        payment_reference: str
        captured_at: datetime
        entry: journal.Entry

    class Declined(Aggregate.Event):
        attempt: int
        amount: int
        reason: str
        declined_at: datetime

    @staticmethod
    def create_id(order_id: UUID, **_: object) -> UUID:
        return order_charge_id(order_id)

    @event(Opened)
    def __init__(
        self, order_id: UUID, account_id: UUID, facility_id: str, resident_id: str
    ) -> None:
        self.order_id = order_id
        self.account_id = account_id
        self.facility_id = facility_id
        self.resident_id = resident_id
        self.attempts: dict[int, Attempt] = {}  # in the order they were begun
        self.captured_attempt: int | None = None

    @property
    def receipt_number(self) -> str:
        """One per order: an order is captured once."""
        return self.receipt_number_of(self.id)

    @staticmethod
    def receipt_number_of(aggregate_id: UUID) -> str:
        return receipt.receipt_number(aggregate_id)

    def payment_key(self, attempt: int) -> str:
        """The processor's idempotency key of an attempt: a repeat of it is the same payment."""
        return f"{self.id}/{attempt}"

    @property
    def pending(self) -> Attempt | None:
        return next((a for a in self.attempts.values() if a.status is AttemptStatus.PENDING), None)

    @property
    def last(self) -> Attempt | None:
        """The capture once there is one, else the attempt begun last."""
        if self.captured_attempt is not None:
            return self.attempts[self.captured_attempt]
        return list(self.attempts.values())[-1] if self.attempts else None

    def same_order(self, account_id: UUID, facility_id: str, resident_id: str) -> bool:
        return (self.account_id, self.facility_id, self.resident_id) == (
            account_id,
            facility_id,
            resident_id,
        )

    def begin(self, attempt: int, amount: Cents, payment_method: str, now: datetime) -> None:
        """Only with no attempt pending and none captured: one payment of an order at a time."""
        assert attempt not in self.attempts and self.captured_attempt is None
        if self.pending is not None:
            raise ChargeInProgress()
        self._begun(attempt, amount, payment_method, now)

    @event(AttemptBegun)
    def _begun(self, attempt: int, amount: int, payment_method: str, started_at: datetime) -> None:
        self.attempts[attempt] = Attempt(attempt, Cents(amount), payment_method, started_at)

    def payment_started(self, attempt: int, payment_reference: str) -> None:
        """Recorded once: only the payment recorded first is ever confirmed."""
        current = self.attempts[attempt]
        if current.status is AttemptStatus.PENDING and current.payment_reference is None:
            self._payment_started(attempt, payment_reference)

    @event(PaymentStarted)
    def _payment_started(self, attempt: int, payment_reference: str) -> None:
        started = replace(self.attempts[attempt], payment_reference=payment_reference)
        self.attempts[attempt] = started

    def capture(self, attempt: int, payment_reference: str, now: datetime) -> None:
        """The card was charged: debit the processor's clearing account, credit the facility's
        commissary revenue (no fee). Only a pending attempt is settled, once."""
        amount = self.attempts[attempt].amount
        if self.attempts[attempt].status is not AttemptStatus.PENDING:
            return
        revenue = journal.service_revenue(self.facility_id, COMMISSARY)
        self._captured(
            attempt,
            amount,
            payment_reference,
            now,
            journal.entry(
                journal.debit(journal.CARD_CLEARING, amount), journal.credit(revenue, amount)
            ),
        )

    @event(Captured)
    def _captured(
        self,
        attempt: int,
        amount: int,
        payment_reference: str,
        captured_at: datetime,
        entry: journal.Entry,
    ) -> None:
        self.attempts[attempt] = replace(
            self.attempts[attempt],
            status=AttemptStatus.CAPTURED,
            payment_reference=payment_reference,
            charged_at=captured_at,
        )
        self.captured_attempt = attempt

    def decline(self, attempt: int, reason: DeclineReason, now: datetime) -> None:
        current = self.attempts[attempt]
        if current.status is AttemptStatus.PENDING:
            self._declined(attempt, current.amount, reason.value, now)

    @event(Declined)
    def _declined(self, attempt: int, amount: int, reason: str, declined_at: datetime) -> None:
        self.attempts[attempt] = replace(
            self.attempts[attempt],
            status=AttemptStatus.DECLINED,
            decline_reason=DeclineReason(reason),  # stored events hold the plain string
            charged_at=declined_at,
        )

"""A commissary pack ordered by a family member for a resident, from the cart to its delivery.

The family places it (prices frozen from the facility's catalog), may change or cancel it while
it is INCOMPLETE or READY_TO_PROCESS, and pays for it either at once (a pay-at-order facility) or
when the facility's orders post. A charge is recorded as PROCESSING (with its attempt number)
before the ledger is asked, so a lost answer is asked again with the same attempt and never
charges twice. Once PAID it is final (FAQ: "All sales are final"); the vendor's tracking, the
overdue flag, the resident leaving before delivery and the facility's decision follow. Why an
order was cancelled and what the facility decided are the values its events publish.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict
from dataclasses import dataclass
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from enum import StrEnum
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate
from eventsourcing.domain import event
from kinlink_contracts.commissary import OrderCancelReason as CancelledReason
from kinlink_contracts.commissary import PackDecision as PackDecision
from kinlink_kit.errors import AlreadyExists
from kinlink_kit.errors import FailedPrecondition
from kinlink_kit.errors import InvalidArgument
from kinlink_kit.errors import NotFound

# FAQ: "In most cases the company will have your order delivered within a week of your purchase."
OVERDUE_AFTER_PAID = timedelta(days=7)
PAYMENT_METHOD_MISSING = "payment_method_missing"


class OrderStatus(StrEnum):
    INCOMPLETE = "incomplete"  # a payment method must still be chosen (or the card declined)
    READY_TO_PROCESS = "ready_to_process"  # waits for the facility's posting run
    PROCESSING = "processing"  # the ledger is being asked to charge it
    PAID = "paid"
    CANCELLED = "cancelled"


CHANGEABLE = frozenset({OrderStatus.INCOMPLETE, OrderStatus.READY_TO_PROCESS})


class Fulfilment(StrEnum):
    NOT_SHIPPED = "not_shipped"
    SHIPPED = "shipped"
    DELIVERED = "delivered"


class ResidentLeft(StrEnum):
    NONE = "none"
    TRANSFERRED = "transferred"
    RELEASED = "released"


class OrderNotFound(NotFound):
    """Also what someone else's order is to a caller."""

    def __init__(self) -> None:
        super().__init__("order_not_found", "No such order.")


class OrderIdReused(AlreadyExists):
    def __init__(self) -> None:
        super().__init__(
            "order_id_reused", "This order id was used for another order: choose a new one."
        )


class OrderNotChangeable(FailedPrecondition):
    def __init__(self) -> None:
        super().__init__(
            "order_not_changeable",
            "Only orders that are Incomplete or Ready to Process can be changed or cancelled; "
            "paid orders are final.",
        )


class OrderBeingProcessed(FailedPrecondition):
    def __init__(self) -> None:
        super().__init__(
            "order_being_processed",
            "This order is being charged right now: it can no longer be changed or cancelled.",
        )


class OrderNotPaid(FailedPrecondition):
    def __init__(self) -> None:
        super().__init__("order_not_paid", "This order has not been paid: nothing is shipped.")


class ResidentStillThere(FailedPrecondition):
    def __init__(self) -> None:
        super().__init__(
            "resident_not_left",
            "The resident is still at the facility: the pack is theirs, nothing to decide.",
        )


class PackAlreadyDecided(FailedPrecondition):
    def __init__(self) -> None:
        super().__init__(
            "pack_already_decided", "The facility has already decided what to do with this pack."
        )


class PackDecisionUnknown(InvalidArgument):
    def __init__(self) -> None:
        super().__init__(
            "pack_decision_unknown",
            "The decision is one of: " + ", ".join(decision.value for decision in PackDecision),
        )


@dataclass(frozen=True)
class OrderItem:
    """One line of an order, its price frozen when it was placed or changed."""

    sku: str
    name: str
    quantity: int
    unit_price_cents: int

    @property
    def total_cents(self) -> int:
        return self.quantity * self.unit_price_cents


def pack_decision(value: str) -> PackDecision:
    try:
        return PackDecision(value.strip().lower())
    except ValueError:
        raise PackDecisionUnknown() from None


def _utc(at: datetime) -> datetime:
    return at.astimezone(UTC)


def _items(items: list[dict[str, Any]]) -> tuple[OrderItem, ...]:
    return tuple(OrderItem(**item) for item in items)


class Order(Aggregate):
    # Items travel in events as plain mappings (the store's JSON).
    class Placed(Aggregate.Created):
        account_id: UUID
        facility_id: str
        resident_id: str
        vendor: str
        items: list[dict[str, Any]]
        payment_method: str
        placed_at: datetime

    class Changed(Aggregate.Event):
        vendor: str
        items: list[dict[str, Any]]
        payment_method: str
        changed_at: datetime

    class MadeIncomplete(Aggregate.Event):
        reason: str  # payment_method_missing, or the ledger's decline reason
        at: datetime

    class MadeReady(Aggregate.Event):
        at: datetime

    class ProcessingStarted(Aggregate.Event):
        attempt: int
        at: datetime

    class Paid(Aggregate.Event):
        receipt_number: str
        paid_at: datetime

    class Cancelled(Aggregate.Event):
        reason: str
        cancelled_at: datetime

    class Shipped(Aggregate.Event):
        carrier: str
        tracking_number: str
        shipped_at: datetime

    class Delivered(Aggregate.Event):
        delivered_at: datetime

    class FlaggedOverdue(Aggregate.Event):
        flagged_at: datetime

    class ResidentLeftBeforeDelivery(Aggregate.Event):
        left: str
        at: datetime

    class PackDecided(Aggregate.Event):
        decision: str
        note: str
        decided_at: datetime

    @event(Placed)
    def __init__(
        self,
        account_id: UUID,
        facility_id: str,
        resident_id: str,
        vendor: str,
        items: list[dict[str, Any]],
        payment_method: str,
        placed_at: datetime,
    ) -> None:
        self.account_id = account_id
        self.facility_id = facility_id
        self.resident_id = resident_id
        self.vendor = vendor
        self.items = _items(items)
        self.payment_method = payment_method
        self.placed_at = placed_at
        # What it was first placed with: a retried PlaceOrder is compared with it.
        self.placed_items = self.items
        self.placed_payment_method = payment_method
        self.status = OrderStatus.INCOMPLETE
        self.incomplete_reason: str | None = None
        self.attempt = 0  # the ledger's attempt number of the latest charge asked for
        self.paid_at: datetime | None = None
        self.receipt_number: str | None = None
        self.cancelled_reason: CancelledReason | None = None
        self.cancelled_at: datetime | None = None
        self.fulfilment = Fulfilment.NOT_SHIPPED
        self.carrier: str | None = None
        self.tracking_number: str | None = None
        self.shipped_at: datetime | None = None
        self.delivered_at: datetime | None = None
        self.flagged_at: datetime | None = None
        self.resident_left = ResidentLeft.NONE
        self.resident_left_at: datetime | None = None
        self.facility_decision: PackDecision | None = None
        self.facility_decision_note = ""
        self.decided_at: datetime | None = None

    @classmethod
    def place(
        cls,
        order_id: UUID,
        account_id: UUID,
        facility_id: str,
        resident_id: str,
        vendor: str,
        items: tuple[OrderItem, ...],
        payment_method: str,
        *,
        pay_at_order: bool,
        at: datetime,
    ) -> Order:
        """A new order, INCOMPLETE without a payment method, else on its way to being charged:
        PROCESSING at a pay-at-order facility (the caller asks the ledger next), READY_TO_PROCESS
        where the facility's orders post."""
        order = cls._create(
            cls.Placed,
            id=order_id,
            account_id=account_id,
            facility_id=facility_id,
            resident_id=resident_id,
            vendor=vendor,
            items=[asdict(item) for item in items],
            payment_method=payment_method.strip(),
            placed_at=_utc(at),
        )
        order._submit(pay_at_order=pay_at_order, at=at)
        return order

    def same_request(
        self,
        account_id: UUID,
        facility_id: str,
        resident_id: str,
        lines: Iterable[tuple[str, int]],
        payment_method: str,
    ) -> bool:
        """Whether a PlaceOrder under this order's id, its lines as (sku, quantity), asks for
        this order (a retry), whatever happened to it since."""
        placed = sorted((item.sku, item.quantity) for item in self.placed_items)
        return (
            self.account_id == account_id
            and self.facility_id == facility_id
            and self.resident_id == resident_id
            and placed == sorted((sku.strip(), quantity) for sku, quantity in lines)
            and self.placed_payment_method == payment_method.strip()
        )

    @property
    def total_cents(self) -> int:
        return sum(item.total_cents for item in self.items)

    @property
    def item_count(self) -> int:
        return sum(item.quantity for item in self.items)

    def check_changeable(self) -> None:
        if self.status is OrderStatus.PROCESSING:
            raise OrderBeingProcessed()
        if self.status not in CHANGEABLE:
            raise OrderNotChangeable()

    def change(
        self,
        vendor: str,
        items: tuple[OrderItem, ...] | None,
        payment_method: str | None,
        *,
        pay_at_order: bool,
        at: datetime,
    ) -> None:
        """New lines (prices frozen again) and/or a new payment method; None keeps what it had.
        Then submitted again as when placed."""
        self.check_changeable()
        self._changed(
            vendor if items is not None else self.vendor,
            [asdict(item) for item in (items if items is not None else self.items)],
            payment_method.strip() if payment_method is not None else self.payment_method,
            _utc(at),
        )
        self._submit(pay_at_order=pay_at_order, at=at)

    @event(Changed)
    def _changed(
        self, vendor: str, items: list[dict[str, Any]], payment_method: str, changed_at: datetime
    ) -> None:
        self.vendor = vendor
        self.items = _items(items)
        self.payment_method = payment_method

    def _submit(self, *, pay_at_order: bool, at: datetime) -> None:
        if not self.payment_method:
            self._made_incomplete(PAYMENT_METHOD_MISSING, _utc(at))
        elif pay_at_order:
            self._processing_started(self.attempt + 1, _utc(at))
        else:
            self._made_ready(_utc(at))

    @event(MadeIncomplete)
    def _made_incomplete(self, reason: str, at: datetime) -> None:
        self.status = OrderStatus.INCOMPLETE
        self.incomplete_reason = reason

    @event(MadeReady)
    def _made_ready(self, at: datetime) -> None:
        self.status = OrderStatus.READY_TO_PROCESS
        self.incomplete_reason = None

    def start_processing(self, at: datetime) -> bool:
        """A posting run takes it: READY_TO_PROCESS becomes PROCESSING under a new attempt; one
        found PROCESSING keeps its attempt (its charge is asked again, never made twice). True
        when the ledger is to be asked."""
        if self.status is OrderStatus.READY_TO_PROCESS:
            self._processing_started(self.attempt + 1, _utc(at))
        return self.status is OrderStatus.PROCESSING

    @event(ProcessingStarted)
    def _processing_started(self, attempt: int, at: datetime) -> None:
        self.status = OrderStatus.PROCESSING
        self.attempt = attempt
        self.incomplete_reason = None

    def record_payment(self, receipt_number: str, at: datetime) -> None:
        """The ledger captured the charge; a repeat of the answer changes nothing."""
        if self.status is OrderStatus.PROCESSING:
            self._paid(receipt_number, _utc(at))

    @event(Paid)
    def _paid(self, receipt_number: str, paid_at: datetime) -> None:
        self.status = OrderStatus.PAID
        self.receipt_number = receipt_number
        self.paid_at = paid_at

    def record_decline(self, reason: str, at: datetime) -> None:
        """The card was declined: INCOMPLETE with the reason, for the family to change it."""
        if self.status is OrderStatus.PROCESSING:
            self._made_incomplete(reason, _utc(at))

    def cancel(self, reason: CancelledReason, at: datetime) -> None:
        """By the family member (or because the resident left); a repeat changes nothing."""
        if self.status is OrderStatus.CANCELLED:
            return
        self.check_changeable()
        self._cancelled(reason.value, _utc(at))

    @event(Cancelled)
    def _cancelled(self, reason: str, cancelled_at: datetime) -> None:
        self.status = OrderStatus.CANCELLED
        self.cancelled_reason = CancelledReason(reason)
        self.cancelled_at = cancelled_at

    # Fulfilment: driven by the vendor's and the facility's events once the order is paid.

    def check_paid(self) -> None:
        if self.status is not OrderStatus.PAID:
            raise OrderNotPaid()

    def ship(self, carrier: str, tracking_number: str, at: datetime) -> bool:
        """True the first time; a repeat (or news after delivery) changes nothing."""
        self.check_paid()
        if self.fulfilment is not Fulfilment.NOT_SHIPPED:
            return False
        self._shipped(carrier.strip(), tracking_number.strip(), _utc(at))
        return True

    @event(Shipped)
    def _shipped(self, carrier: str, tracking_number: str, shipped_at: datetime) -> None:
        self.fulfilment = Fulfilment.SHIPPED
        self.carrier = carrier
        self.tracking_number = tracking_number
        self.shipped_at = shipped_at

    def deliver(self, at: datetime) -> bool:
        """True the first time; a pack delivered without a shipping notice is delivered too."""
        self.check_paid()
        if self.fulfilment is Fulfilment.DELIVERED:
            return False
        self._delivered(_utc(at))
        return True

    @event(Delivered)
    def _delivered(self, delivered_at: datetime) -> None:
        self.fulfilment = Fulfilment.DELIVERED
        self.delivered_at = delivered_at

    @property
    def overdue(self) -> bool:
        return self.flagged_at is not None

    def overdue_at(self) -> datetime | None:
        """When a paid order not yet delivered is to be flagged for support."""
        return self.paid_at + OVERDUE_AFTER_PAID if self.paid_at is not None else None

    def flag_overdue(self, now: datetime) -> bool:
        """Flagged once, when it is paid, not delivered, and its week has passed."""
        due = self.overdue_at()
        if (
            due is None
            or self.overdue
            or self.fulfilment is Fulfilment.DELIVERED
            or _utc(now) < due
        ):
            return False
        self._flagged_overdue(_utc(now))
        return True

    @event(FlaggedOverdue)
    def _flagged_overdue(self, flagged_at: datetime) -> None:
        self.flagged_at = flagged_at

    def resident_gone(self, left: ResidentLeft, at: datetime) -> bool:
        """The resident was transferred or released: an order not yet paid is cancelled, a
        paid one not delivered is marked for the facility's decision. An order being charged is
        left as it is, as is one already marked or delivered. True when something changed."""
        if left is ResidentLeft.NONE:
            raise ValueError("a resident who left was transferred or released")
        if self.status in CHANGEABLE:
            reason = (
                CancelledReason.RESIDENT_TRANSFERRED
                if left is ResidentLeft.TRANSFERRED
                else CancelledReason.RESIDENT_RELEASED
            )
            self._cancelled(reason.value, _utc(at))
            return True
        if (
            self.status is OrderStatus.PAID
            and self.fulfilment is not Fulfilment.DELIVERED
            and self.resident_left is ResidentLeft.NONE
        ):
            self._resident_left(left.value, _utc(at))
            return True
        return False

    @event(ResidentLeftBeforeDelivery)
    def _resident_left(self, left: str, at: datetime) -> None:
        self.resident_left = ResidentLeft(left)
        self.resident_left_at = at

    def decide_pack(self, decision: PackDecision, note: str, at: datetime) -> bool:
        """The facility's decision on a pack whose resident left; the first one stands (a
        repeat of it changes nothing, another is refused)."""
        if self.resident_left is ResidentLeft.NONE:
            raise ResidentStillThere()
        if self.facility_decision is not None:
            if self.facility_decision is decision and self.facility_decision_note == note.strip():
                return False
            raise PackAlreadyDecided()
        self._pack_decided(decision.value, note.strip(), _utc(at))
        return True

    @event(PackDecided)
    def _pack_decided(self, decision: str, note: str, decided_at: datetime) -> None:
        self.facility_decision = PackDecision(decision)
        self.facility_decision_note = note
        self.decided_at = decided_at

"""Charging an order that is PROCESSING: the ledger is asked for the order's current attempt and
its answer recorded (PAID with the receipt number, or INCOMPLETE with the decline reason).

Shared by PlaceOrder and ChangeOrder at a pay-at-order facility, the posting run and the
processing sweep. The attempt was saved before the ledger is asked, so an answer lost (the
ledger away, a crash here) leaves the order PROCESSING and the same attempt is asked again
later: the ledger answers a repeated attempt with its first answer and never captures an order
twice. A resident who left while the order was being charged (their leaving passed it by) is
seen when the answer is recorded: the paid order marked, the declined one cancelled.
"""

from __future__ import annotations

from kinlink_kit.logging import get_logger
from kinlink_kit.metrics import COMMISSARY_ORDER_CHARGES

from kinlink_commissary.domain.order import Order
from kinlink_commissary.domain.order import OrderNotFound
from kinlink_commissary.domain.order import OrderStatus
from kinlink_commissary.domain.order import ResidentLeft
from kinlink_commissary.domain.ports import ChargeRequest
from kinlink_commissary.domain.ports import ChargeStatus
from kinlink_commissary.domain.ports import LedgerUnavailable
from kinlink_commissary.service_layer.commissary import Commissary
from kinlink_commissary.service_layer.resident_left import left_facility

log = get_logger(__name__)


def charge_order(commissary: Commissary, order: Order) -> Order:
    """The order as it stands once the ledger answered, or as it was when no answer came."""
    if order.status is not OrderStatus.PROCESSING:
        return order
    request = ChargeRequest(
        order_id=order.id,
        attempt=order.attempt,
        account_id=order.account_id,
        facility_id=order.facility_id,
        resident_id=order.resident_id,
        amount_cents=order.total_cents,
        payment_method=order.payment_method,
    )
    try:
        charge = commissary.charges.charge(request)
    except LedgerUnavailable:
        log.warning("order charge unanswered", order_id=str(order.id), attempt=order.attempt)
        COMMISSARY_ORDER_CHARGES.labels("unanswered").inc()
        return order
    if charge.status is ChargeStatus.PENDING:
        COMMISSARY_ORDER_CHARGES.labels("unanswered").inc()
        return order

    def recording(current: Order) -> Order:
        # Only the answer to the attempt it is processing: a stale answer changes nothing.
        if current.attempt == request.attempt:
            at = charge.charged_at or commissary.clock()
            if charge.status is ChargeStatus.CAPTURED:
                current.record_payment(charge.receipt_number, at)
            else:
                current.record_decline(charge.decline_reason, at)
            left = left_facility(commissary, current.facility_id, current.resident_id)
            if left is not ResidentLeft.NONE:
                current.resident_gone(left, at)
        return current

    charged = commissary.change(order.id, Order, recording, missing=OrderNotFound)
    COMMISSARY_ORDER_CHARGES.labels(charge.status.value).inc()
    log.info(
        "order charged",
        order_id=str(order.id),
        attempt=request.attempt,
        outcome=charge.status.value,
        decline_reason=charge.decline_reason or None,
    )
    return charged


def charge_in_turn(commissary: Commissary, order: Order) -> Order:
    """`charge_order` for one order of many (a posting run, the sweep): an order the ledger
    fails on unexpectedly (a bug, a misconfiguration) stays processing, logged, and must not keep
    the others from being charged."""
    try:
        return charge_order(commissary, order)
    except Exception:
        log.exception("order charge failed", order_id=str(order.id), attempt=order.attempt)
        return order

"""The overdue sweep's work: a paid order not delivered a week after it was paid is flagged
once for support (FAQ: "If the order has not been delivered within a week, please click Contact
Us"); the family sees the notice, support and the facility the flagged list."""

from __future__ import annotations

from kinlink_kit.logging import get_logger
from kinlink_kit.metrics import ORDERS_FLAGGED_OVERDUE

from kinlink_commissary.domain.order import OVERDUE_AFTER_PAID
from kinlink_commissary.domain.order import Order
from kinlink_commissary.domain.order import OrderNotFound
from kinlink_commissary.service_layer.commissary import Commissary

log = get_logger(__name__)


def flag_overdue_orders(commissary: Commissary) -> int:
    """Returns how many orders were flagged now."""
    now = commissary.clock()
    flagged = 0
    for order_id in commissary.views.orders.awaiting_delivery(now - OVERDUE_AFTER_PAID):
        # The order decides again on what it is now: delivered since the view was read, or
        # flagged by another replica's sweep, it is not flagged (twice).
        if commissary.change(
            order_id, Order, lambda order: order.flag_overdue(now), missing=OrderNotFound
        ):
            flagged += 1
            ORDERS_FLAGGED_OVERDUE.inc()
            log.info("order flagged overdue", order_id=str(order_id))
    return flagged

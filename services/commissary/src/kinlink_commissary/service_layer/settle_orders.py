"""The processing sweep: orders left PROCESSING longer than a while (the ledger away when a
pay-at-order charge or a posting run asked, a crash between the ask and the answer) are asked
again with the same attempt, which the ledger answers with its first answer, never charging
twice."""

from __future__ import annotations

from datetime import timedelta

from kinlink_commissary.domain.order import Order
from kinlink_commissary.domain.order import OrderStatus
from kinlink_commissary.service_layer.charge_order import charge_in_turn
from kinlink_commissary.service_layer.commissary import Commissary


def settle_orders(commissary: Commissary, after: timedelta) -> list[Order]:
    """The orders asked again, as they stand after."""
    settled = []
    for order_id in commissary.views.orders.processing_since(commissary.clock() - after):
        order = commissary.find(order_id, Order)
        if order is not None and order.status is OrderStatus.PROCESSING:
            settled.append(charge_in_turn(commissary, order))
    return settled

"""ChangeOrder and CancelOrder: the family member edits (new lines at today's prices, another
payment method) or cancels an order while it is Incomplete or Ready to Process (FAQ: "Only
orders showing as Ready to Process or Incomplete can be changed or cancelled"). One being
charged is refused (`order_being_processed`), a paid one is final (`order_not_changeable`).
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from kinlink_kit.auth import Principal

from kinlink_commissary.domain.catalog import OrderLine
from kinlink_commissary.domain.order import CancelledReason
from kinlink_commissary.domain.order import Order
from kinlink_commissary.domain.order import OrderNotFound
from kinlink_commissary.service_layer.charge_order import charge_order
from kinlink_commissary.service_layer.commissary import Commissary
from kinlink_commissary.service_layer.orders_access import check_holder
from kinlink_commissary.service_layer.place_order import check_orderable
from kinlink_commissary.service_layer.place_order import pay_at_order
from kinlink_commissary.service_layer.place_order import priced


@dataclass(frozen=True)
class ChangeOrder:
    order_id: UUID
    lines: tuple[OrderLine, ...]  # empty: unchanged
    payment_method: str  # empty: unchanged


def change_order(commissary: Commissary, principal: Principal, command: ChangeOrder) -> Order:
    def changing(order: Order) -> Order:
        check_holder(order, principal)
        order.check_changeable()
        check_orderable(commissary, order.facility_id, order.resident_id)
        vendor, items = order.vendor, None
        if command.lines:
            catalog, new_items = priced(commissary, order.facility_id, command.lines)
            vendor, items = catalog.vendor, new_items
        order.change(
            vendor,
            items,
            command.payment_method or None,
            pay_at_order=pay_at_order(commissary.facilities.facility(order.facility_id)),
            at=commissary.clock(),
        )
        return order

    changed = commissary.change(command.order_id, Order, changing, missing=OrderNotFound)
    return charge_order(commissary, changed)


def cancel_order(commissary: Commissary, principal: Principal, order_id: UUID) -> Order:
    def cancelling(order: Order) -> Order:
        check_holder(order, principal)
        order.cancel(CancelledReason.BY_USER, commissary.clock())
        return order

    return commissary.change(order_id, Order, cancelling, missing=OrderNotFound)

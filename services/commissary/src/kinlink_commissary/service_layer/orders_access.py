"""Who may see and change an order: the family member who placed it; staff of its facility (and
operators) may see it. Someone else's order is not found, as if it did not exist."""

from __future__ import annotations

from uuid import UUID

from kinlink_kit.auth import Principal
from kinlink_kit.auth import Role

from kinlink_commissary.domain.order import Order
from kinlink_commissary.domain.order import OrderNotFound
from kinlink_commissary.service_layer.commissary import Commissary

STAFF = frozenset({Role.FACILITY_OFFICER, Role.FACILITY_INTEGRATION, Role.OPERATOR})


def placed_by(order: Order, principal: Principal) -> bool:
    return str(order.account_id) == principal.account_id


def check_holder(order: Order, principal: Principal) -> None:
    if not placed_by(order, principal):
        raise OrderNotFound()


def get_order(commissary: Commissary, principal: Principal, order_id: UUID) -> Order:
    order = commissary.find(order_id, Order, to_change=False)
    if order is None:
        raise OrderNotFound()
    if placed_by(order, principal):
        return order
    if not principal.roles & STAFF:
        raise OrderNotFound()
    principal.require_facility(order.facility_id)
    return order

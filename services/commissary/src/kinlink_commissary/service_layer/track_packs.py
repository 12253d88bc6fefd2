"""The vendor's tracking of a paid order's commissary pack, from the facility's topic: shipped
(carrier and tracking number), then delivered. Only a paid order is shipped (`order_not_paid`
otherwise: the event is dead-lettered); news repeated, or a shipping notice after delivery,
changes nothing. The family sees both on the order."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from kinlink_commissary.domain.order import Order
from kinlink_commissary.domain.order import OrderNotFound
from kinlink_commissary.service_layer.commissary import Commissary


@dataclass(frozen=True)
class PackShipped:
    order_id: UUID
    carrier: str
    tracking_number: str
    shipped_at: datetime


@dataclass(frozen=True)
class PackDelivered:
    order_id: UUID
    delivered_at: datetime


def shipping(commissary: Commissary, news: PackShipped) -> list[Order]:
    """The order marked shipped, to be saved; nothing when it already was."""
    order = commissary.require(news.order_id, Order, OrderNotFound)
    return [order] if order.ship(news.carrier, news.tracking_number, news.shipped_at) else []


def delivering(commissary: Commissary, news: PackDelivered) -> list[Order]:
    """The order marked delivered, to be saved; nothing when it already was."""
    order = commissary.require(news.order_id, Order, OrderNotFound)
    return [order] if order.deliver(news.delivered_at) else []

"""An order's stored domain events as the integration events of `kinlink_contracts.commissary`,
keyed by resident id. Each is made from the order as of that event (read back at its version),
so a later change never leaks into an earlier event. What stays inside: the payment method,
the charge attempts, READY_TO_PROCESS and PROCESSING (internal steps of being charged).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kinlink_contracts import commissary as contract
from kinlink_kit.translation import Published
from kinlink_kit.translation import Translation

from kinlink_commissary.domain.order import Order
from kinlink_commissary.service_layer.commissary import CommissaryStore

# (domain event, the order as of it) -> the integration event
OrderTranslation = Callable[[Any, Order], contract.IntegrationEvent]


def _about(order: Order) -> dict[str, Any]:
    return {
        "order_id": order.id,
        "facility_id": order.facility_id,
        "resident_id": order.resident_id,
    }


def _items(order: Order) -> tuple[contract.OrderItem, ...]:
    return tuple(
        contract.OrderItem(
            sku=item.sku,
            name=item.name,
            quantity=item.quantity,
            unit_price_cents=item.unit_price_cents,
        )
        for item in order.items
    )


def _placed(event: Any, order: Order) -> contract.IntegrationEvent:
    return contract.OrderPlaced(
        **_about(order),
        account_id=order.account_id,
        vendor=order.vendor,
        items=_items(order),
        total_cents=order.total_cents,
    )


def _changed(event: Any, order: Order) -> contract.IntegrationEvent:
    return contract.OrderChanged(
        **_about(order), items=_items(order), total_cents=order.total_cents
    )


def _cancelled(event: Any, order: Order) -> contract.IntegrationEvent:
    return contract.OrderCancelled(**_about(order), reason=contract.OrderCancelReason(event.reason))


def _incomplete(event: Any, order: Order) -> contract.IntegrationEvent:
    return contract.OrderIncomplete(**_about(order), reason=event.reason)


def _paid(event: Any, order: Order) -> contract.IntegrationEvent:
    return contract.OrderPaid(
        **_about(order),
        account_id=order.account_id,
        vendor=order.vendor,
        items=_items(order),
        total_cents=order.total_cents,
        receipt_number=event.receipt_number,
        paid_at=event.paid_at,
    )


def _shipped(event: Any, order: Order) -> contract.IntegrationEvent:
    return contract.OrderShipped(
        **_about(order),
        carrier=event.carrier,
        tracking_number=event.tracking_number,
        shipped_at=event.shipped_at,
    )


def _delivered(event: Any, order: Order) -> contract.IntegrationEvent:
    return contract.OrderDelivered(**_about(order), delivered_at=event.delivered_at)


def _overdue(event: Any, order: Order) -> contract.IntegrationEvent:
    return contract.OrderOverdue(**_about(order), flagged_at=event.flagged_at)


def _resident_left(event: Any, order: Order) -> contract.IntegrationEvent:
    return contract.OrderResidentLeft(
        **_about(order), left=contract.ResidentLeft(event.left), left_at=event.at
    )


def _pack_decided(event: Any, order: Order) -> contract.IntegrationEvent:
    return contract.OrderPackDecided(
        **_about(order),
        decision=contract.PackDecision(event.decision),
        note=event.note,
        decided_at=event.decided_at,
    )


_PUBLISHED: dict[type, OrderTranslation] = {
    Order.Placed: _placed,
    Order.Changed: _changed,
    Order.Cancelled: _cancelled,
    Order.MadeIncomplete: _incomplete,
    Order.Paid: _paid,
    Order.Shipped: _shipped,
    Order.Delivered: _delivered,
    Order.FlaggedOverdue: _overdue,
    Order.ResidentLeftBeforeDelivery: _resident_left,
    Order.PackDecided: _pack_decided,
}


def order_translations(store: CommissaryStore) -> dict[type, Translation]:
    def as_of(translate: OrderTranslation) -> Translation:
        def published(event: Any) -> Published:
            order: Order = store.repository.get(
                event.originator_id, version=event.originator_version
            )
            return Published(order.resident_id, translate(event, order))

        return published

    return {kind: as_of(translate) for kind, translate in _PUBLISHED.items()}

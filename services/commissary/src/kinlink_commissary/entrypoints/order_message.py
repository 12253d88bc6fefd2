"""An order as the API shows it (GetOrder, ListOrders, the fulfilment methods): its items at
their frozen prices, its status, tracking, overdue flag, and what became of it when its
resident left."""

from __future__ import annotations

from kinlink.commissary.v1 import commissary_pb2 as pb
from kinlink_kit.grpc_helpers import proto_enum
from kinlink_kit.grpc_helpers import timestamp

from kinlink_commissary.domain.order import Fulfilment
from kinlink_commissary.domain.order import Order
from kinlink_commissary.domain.order import OrderStatus
from kinlink_commissary.domain.order import ResidentLeft

_STATUS = proto_enum(OrderStatus, pb.OrderStatus)
_FULFILMENT = proto_enum(Fulfilment, pb.Fulfilment)
_RESIDENT_LEFT = proto_enum(ResidentLeft, pb.ResidentLeft)


def order_message(order: Order) -> pb.Order:
    message = pb.Order(
        order_id=str(order.id),
        account_id=str(order.account_id),
        facility_id=order.facility_id,
        resident_id=order.resident_id,
        vendor=order.vendor,
        items=[
            pb.OrderItem(
                sku=item.sku,
                name=item.name,
                quantity=item.quantity,
                unit_price_cents=item.unit_price_cents,
                total_cents=item.total_cents,
            )
            for item in order.items
        ],
        total_cents=order.total_cents,
        payment_method=order.payment_method,
        status=_STATUS[order.status],
        incomplete_reason=order.incomplete_reason or "",
        cancelled_reason=order.cancelled_reason.value if order.cancelled_reason else "",
        receipt_number=order.receipt_number or "",
        fulfilment=_FULFILMENT[order.fulfilment],
        tracking_number=order.tracking_number or "",
        carrier=order.carrier or "",
        overdue=order.overdue,
        resident_left=_RESIDENT_LEFT[order.resident_left],
        facility_decision=order.facility_decision.value if order.facility_decision else "",
        facility_decision_note=order.facility_decision_note,
    )
    moments = {
        "placed_at": order.placed_at,
        "paid_at": order.paid_at,
        "shipped_at": order.shipped_at,
        "delivered_at": order.delivered_at,
        "flagged_at": order.flagged_at,
        "resident_left_at": order.resident_left_at,
        "decided_at": order.decided_at,
    }
    for name, at in moments.items():
        if at is not None:
            getattr(message, name).CopyFrom(timestamp(at))
    return message

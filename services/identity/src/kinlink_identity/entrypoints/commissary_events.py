"""What identity follows of the commissary on kinlink.commissary.events.v1: an order paid, whose
receipt it emails to the family member (service_layer/email_receipt).

The event's id is recorded once the email is handed over, so a redelivered event sends nothing;
mail unavailable is retried (the consumer's backoff) until the email goes. An account identity
does not know is raised as CommissaryEventRejected: dead-lettered at once.
"""

from __future__ import annotations

from collections.abc import Callable

from kinlink_contracts.commissary import OrderPaid
from kinlink_contracts.envelope import Envelope
from kinlink_kit.consumer import EventRejected
from kinlink_kit.consumer import rejecting
from kinlink_kit.eventstore import Tracking

from kinlink_identity.domain.emails import PaidOrder
from kinlink_identity.domain.emails import ReceiptLine
from kinlink_identity.service_layer.email_receipt import EmailReceipt
from kinlink_identity.service_layer.email_receipt import email_receipt
from kinlink_identity.service_layer.identity import Identity


class CommissaryEventRejected(EventRejected):
    """A commissary's event that contradicts what identity knows."""


def on_order_paid(identity: Identity, envelope: Envelope, tracking: Tracking) -> None:
    paid = OrderPaid.model_validate(envelope.payload)
    order = PaidOrder(
        order_id=str(paid.order_id),
        receipt_number=paid.receipt_number,
        vendor=paid.vendor,
        lines=tuple(
            ReceiptLine(item.name, item.quantity, item.unit_price_cents) for item in paid.items
        ),
        total_cents=paid.total_cents,
        paid_at=paid.paid_at,
    )
    with rejecting(envelope, CommissaryEventRejected):
        email_receipt(identity, EmailReceipt(paid.account_id, order))
    identity.store.save_tracked(tracking)


COMMISSARY_EVENT_HANDLERS: dict[str, Callable[[Identity, Envelope, Tracking], None]] = {
    OrderPaid.event_type: on_order_paid,
}

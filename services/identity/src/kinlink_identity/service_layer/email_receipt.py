"""EmailReceipt: the commissary charged an order after it was placed (a posting run, or a payment
finished later), so the family member is emailed its receipt (requirements: "You will be emailed a
receipt when the order is processed").

Once per order event: the consumer records the event's id after the email is handed over, so a
redelivered event sends nothing; mail unavailable raises, and the event is retried until it goes
(decision 0060). An account unsubscribed from our emails gets none, as for every other email.
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from kinlink_kit.logging import get_logger

from kinlink_identity.domain.emails import PaidOrder
from kinlink_identity.domain.emails import receipt_email
from kinlink_identity.service_layer.emailed_links import send
from kinlink_identity.service_layer.identity import Identity

log = get_logger(__name__)


@dataclass(frozen=True)
class EmailReceipt:
    account_id: UUID
    order: PaidOrder


def email_receipt(identity: Identity, command: EmailReceipt) -> None:
    """Send the receipt; raises AccountNotFound, or Unavailable while mail is unavailable."""
    account = identity.account(command.account_id)
    if not account.email_subscribed:
        log.info("receipt not emailed: unsubscribed", order_id=command.order.order_id)
        return
    send(
        identity,
        receipt_email(account.email, account.first_name, account.time_zone, command.order),
    )

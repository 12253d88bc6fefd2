"""OpenCollectMessage: a family member pays for a resident's collect message, then reads it.

Charged once for reference `collect:<message id>` (a repeat, or a retry after a crash between
the charge and its record, gets the first payment back from the ledger). Without credit the
family member is asked to refill (`insufficient_credit`) and nothing of the message is shown;
an expired one is refused before anything is charged.
"""

from __future__ import annotations

from uuid import UUID

from kinlink_messaging.domain.message import Direction
from kinlink_messaging.domain.message import Message
from kinlink_messaging.domain.message import MessageExpired
from kinlink_messaging.domain.message import MessageNotFound
from kinlink_messaging.domain.ports import ChargeItem
from kinlink_messaging.domain.ports import ChargeKind
from kinlink_messaging.service_layer.messaging import Messaging
from kinlink_messaging.service_layer.read_message import read_message
from kinlink_messaging.service_layer.read_message import shown_message


def open_collect_message(messaging: Messaging, account_id: UUID, message_id: UUID) -> Message:
    message = shown_message(messaging, account_id, message_id)
    if message.direction is not Direction.FROM_RESIDENT:
        raise MessageNotFound()
    if not message.viewable(messaging.clock()):
        raise MessageExpired()
    if message.paid_to_open:
        return read_message(messaging, account_id, message_id)
    payment = messaging.wallet.charge(
        account_id,
        message.facility_id,
        (ChargeItem(ChargeKind.MESSAGE, 1),),
        message.collect_reference,
    )

    def opening(message: Message) -> Message:
        at = messaging.clock()
        message.pay_to_open(payment, at)
        message.read(at)
        return message

    return messaging.change(message_id, Message, opening, missing=MessageNotFound)

"""RejectMessage: an officer of the message's facility refuses it with a reason its sender
sees; where the facility refunds rejected messages, the sender's subscription is credited."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from kinlink_kit.auth import Principal
from kinlink_kit.logging import get_logger

from kinlink_messaging.domain.message import Message
from kinlink_messaging.domain.message import MessageNotFound
from kinlink_messaging.domain.ports import WalletUnavailable
from kinlink_messaging.service_layer.messaging import Messaging

log = get_logger(__name__)


@dataclass(frozen=True)
class RejectMessage:
    message_id: UUID
    reason: str


def reject_message(messaging: Messaging, officer: Principal, command: RejectMessage) -> Message:
    def rejecting(message: Message) -> Message:
        officer.require_facility(message.facility_id)
        message.reject(officer.account_id, command.reason, messaging.clock())
        return message

    message = messaging.change(command.message_id, Message, rejecting, missing=MessageNotFound)
    # Only the officer whose rejection was saved gets here: the refund is asked once, and the
    # wallet credits a payment once however often it is asked.
    if (
        message.payment is not None
        and messaging.directory.facility(message.facility_id).refund_rejected_messages
    ):
        try:
            messaging.wallet.refund(
                message.account_id, message.facility_id, message.payment, "message rejected"
            )
        except WalletUnavailable:
            # The rejection stands; the refund is asked again by hand (decision 0038).
            log.error("refund of a rejected message not made", message_id=str(message.id))
    return message

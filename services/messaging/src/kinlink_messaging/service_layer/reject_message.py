"""RejectMessage: an officer of the message's facility refuses it with a reason its sender
sees. Where the facility refunds rejected messages, the sender's subscription is credited by
`refund_rejected`, which follows the recorded rejections (entrypoints.rejection_refunds): a
process stopped after the rejection still refunds it, and only a rejection that was recorded."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from kinlink_kit.auth import Principal
from kinlink_kit.logging import get_logger

from kinlink_messaging.domain.message import Message
from kinlink_messaging.domain.message import MessageNotFound
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

    # The losing officer's save collides; re-applied to what won, `reject` refuses it as
    # message_already_decided.
    return messaging.change(command.message_id, Message, rejecting, missing=MessageNotFound)


def refund_rejected(messaging: Messaging, message_id: UUID) -> bool:
    """Credits a rejected message's payment back where its facility refunds rejections; True
    if it asked the wallet. The wallet credits a payment once however often it is asked, so a
    rejection handled again refunds nothing more. Raises `WalletUnavailable` (ask again)."""
    message = messaging.find(message_id, Message, to_change=False)
    if message is None or message.payment is None:
        return False
    if not messaging.directory.facility(message.facility_id).refund_rejected_messages:
        return False
    messaging.wallet.refund(
        message.account_id, message.facility_id, message.payment, "message rejected"
    )
    log.info("rejected message refunded", message_id=str(message_id))
    return True

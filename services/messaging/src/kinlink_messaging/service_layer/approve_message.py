"""ApproveMessage: an officer of the message's facility lets it through; it is delivered at
once. Of two officers deciding one message at once, the second is told it was decided."""

from __future__ import annotations

from uuid import UUID

from kinlink_kit.auth import Principal

from kinlink_messaging.domain.message import Message
from kinlink_messaging.domain.message import MessageNotFound
from kinlink_messaging.service_layer.messaging import Messaging


def approve_message(messaging: Messaging, officer: Principal, message_id: UUID) -> Message:
    def approving(message: Message) -> Message:
        officer.require_facility(message.facility_id)
        at = messaging.clock()
        message.approve(officer.account_id, at)
        message.deliver(at)
        return message

    # The losing officer's save collides; re-applied to what won, `approve` refuses it as
    # message_already_decided.
    return messaging.change(message_id, Message, approving, missing=MessageNotFound)

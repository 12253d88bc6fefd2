"""GetMessage: a family member opens one of their messages. A reply in their inbox is read the
first time (published once as MessageRead); one they sent is only shown. Either is refused from
14 days after it was read (`message_expired`), to the instant, whatever the expiry job has done;
a collect reply shows nothing until paid (`open_collect_message`)."""

from __future__ import annotations

from uuid import UUID

from kinlink_messaging.domain.message import Direction
from kinlink_messaging.domain.message import Message
from kinlink_messaging.domain.message import MessageNotFound
from kinlink_messaging.domain.message import MessageStatus
from kinlink_messaging.service_layer.messaging import Messaging

# A reply reaches the family member's inbox once delivered (after review, where the facility
# reviews); what they sent is theirs to see from its submission.
_NOT_SHOWN = {
    Direction.FROM_RESIDENT: frozenset(
        {
            MessageStatus.AWAITING_PAYMENT,
            MessageStatus.PENDING_REVIEW,
            MessageStatus.APPROVED,
            MessageStatus.REJECTED,
            MessageStatus.ABANDONED,
        }
    ),
    Direction.TO_RESIDENT: frozenset({MessageStatus.AWAITING_PAYMENT, MessageStatus.ABANDONED}),
}


def shown_message(messaging: Messaging, account_id: UUID, message_id: UUID) -> Message:
    """The account's message as the family member may see it listed, else not found."""
    message = messaging.message_of(account_id, message_id)
    if message.status in _NOT_SHOWN[message.direction]:
        raise MessageNotFound()
    return message


def read_message(messaging: Messaging, account_id: UUID, message_id: UUID) -> Message:
    message = shown_message(messaging, account_id, message_id)
    if message.direction is Direction.TO_RESIDENT:
        message.check_viewable(messaging.clock())
        return message
    return mark_read(messaging, message_id)


def mark_read(messaging: Messaging, message_id: UUID) -> Message:
    """Its reader (the family member, or the resident as the facility's system reports) opened
    it; refused once expired."""

    def reading(message: Message) -> Message:
        message.read(messaging.clock())
        return message

    return messaging.change(message_id, Message, reading, missing=MessageNotFound)

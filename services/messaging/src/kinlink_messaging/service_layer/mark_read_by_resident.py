"""MarkReadByResident: a facility's kiosk says the resident opened a message sent to them; the
first time it is read (MessageRead), and it expires 14 days later."""

from __future__ import annotations

from uuid import UUID

from kinlink_kit.auth import Principal

from kinlink_messaging.domain.message import Direction
from kinlink_messaging.domain.message import Message
from kinlink_messaging.domain.message import MessageNotFound
from kinlink_messaging.domain.message import MessageStatus
from kinlink_messaging.service_layer.messaging import Messaging

# What has reached the resident; anything else (pending review, rejected) they never saw.
_RECEIVED = frozenset({MessageStatus.DELIVERED, MessageStatus.READ, MessageStatus.EXPIRED})


def mark_read_by_resident(
    messaging: Messaging, integration: Principal, message_id: UUID
) -> Message:
    def reading(message: Message) -> Message:
        if message.direction is not Direction.TO_RESIDENT:
            raise MessageNotFound()
        integration.require_facility(message.facility_id)
        if message.status not in _RECEIVED:
            raise MessageNotFound()
        message.read(messaging.clock())  # message_expired from its expiry on
        return message

    return messaging.change(message_id, Message, reading, missing=MessageNotFound)

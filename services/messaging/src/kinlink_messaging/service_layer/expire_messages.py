"""The expiry job's work: every read message whose 14 days have passed has its images' objects
deleted, then `Message.Expired` recorded (published once as MessageExpired). Deleting first: a
crash between the two leaves a message the next run finishes, never images nobody will delete.
The read path refuses the message from its expiry on whether or not this has run.
"""

from __future__ import annotations

from uuid import UUID

from kinlink_kit.logging import get_logger

from kinlink_messaging.domain.message import Message
from kinlink_messaging.domain.message import MessageNotFound
from kinlink_messaging.service_layer.messaging import Messaging

log = get_logger(__name__)


def expire_messages(messaging: Messaging) -> int:
    """Returns how many messages expired now."""
    now = messaging.clock()
    expired = 0
    for message_id in messaging.views.messages.expired_unrecorded(now):
        message = messaging.find(message_id, Message)
        if message is None or message.viewable(now):
            continue  # the view may lag behind the store
        for key in message.image_keys():
            messaging.images.delete(key)
        if _record_expiry(messaging, message_id):
            expired += 1
            log.info("message expired", message_id=str(message_id))
    return expired


def _record_expiry(messaging: Messaging, message_id: UUID) -> bool:
    return messaging.change(
        message_id,
        Message,
        lambda message: message.expire(messaging.clock()),
        missing=MessageNotFound,
    )

"""The expiry job's work: every read message whose 14 days have passed has its images' objects
deleted, then `Message.Expired` recorded (published once as MessageExpired). Deleting first: a
crash between the two leaves a message the next run finishes, never images nobody will delete.
The read path refuses the message from its expiry on whether or not this has run.
"""

from __future__ import annotations

from datetime import datetime
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
        try:
            done = _expire(messaging, message_id, now)
        except Exception:
            # One message whose images cannot be deleted now must not keep the others.
            log.exception(
                "message not expired; the next run tries again", message_id=str(message_id)
            )
            continue
        if done:
            expired += 1
            log.info("message expired", message_id=str(message_id))
    return expired


def _expire(messaging: Messaging, message_id: UUID, now: datetime) -> bool:
    message = messaging.find(message_id, Message)
    if message is None or message.viewable(now):
        return False  # the view may lag behind the store
    for key in message.image_keys():
        messaging.images.delete(key)
    return messaging.change(
        message_id,
        Message,
        lambda message: message.expire(messaging.clock()),
        missing=MessageNotFound,
    )

"""GetDeliveredMessage: a platform service (the SMS gateway) reads a resident's message delivered
to a family member's inbox, to pass it on to their phone: on the same terms as the family
member's own reading (refused once expired, a collect one until paid), with the resident's name
and its images as URLs the carrier fetches itself."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from datetime import timedelta
from uuid import UUID

from kinlink_kit.residents import ResidentNotFound

from kinlink_messaging.domain.message import Direction
from kinlink_messaging.domain.message import Message
from kinlink_messaging.domain.message import MessageNotFound
from kinlink_messaging.domain.message import MessageStatus
from kinlink_messaging.service_layer.messaging import Messaging

# Long enough for the carrier to fetch the pictures of an SMS sent now (it does within seconds),
# short enough that a link in a carrier's logs soon stops working.
CARRIER_URL_LIFETIME = timedelta(minutes=15)
_DELIVERED = frozenset({MessageStatus.DELIVERED, MessageStatus.READ, MessageStatus.EXPIRED})


@dataclass(frozen=True)
class DeliveredMessage:
    message: Message
    resident_name: str
    # One per image where the store signs URLs, else none (the message has images all the same).
    image_urls: tuple[str, ...]
    image_urls_expire_at: datetime


def get_delivered_message(messaging: Messaging, message_id: UUID) -> DeliveredMessage:
    message = messaging.find(message_id, Message)
    if (
        message is None
        or message.direction is not Direction.FROM_RESIDENT
        or message.status not in _DELIVERED
    ):
        raise MessageNotFound()
    now = messaging.clock()
    message.check_viewable(now)
    urls = [
        messaging.images.signed_url(image.key, CARRIER_URL_LIFETIME) for image in message.images
    ]
    signed = tuple(url for url in urls if url is not None)
    return DeliveredMessage(
        message,
        _resident_name(messaging, message),
        signed if len(signed) == len(urls) else (),
        now + CARRIER_URL_LIFETIME,
    )


def _resident_name(messaging: Messaging, message: Message) -> str:
    try:
        return messaging.directory.resident(message.facility_id, message.resident_id).name
    except ResidentNotFound:  # transferred since: their name is known at the other facility only
        return message.resident_id

"""GetImage: one of a message's images (or its thumbnail) for the family member it belongs to,
on the same terms as its body: refused once expired, and a collect message's until paid.
Browsers fetch it from a short-lived signed URL where the store signs one, unless the caller
wants the bytes (it serves them itself); otherwise the bytes are served through the API. Never
public."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from uuid import UUID

from kinlink_messaging.domain.message import Message
from kinlink_messaging.service_layer.messaging import Messaging
from kinlink_messaging.service_layer.read_message import shown_message

# Long enough for a page to load its images, short enough that a copied link soon stops working.
SIGNED_URL_LIFETIME = timedelta(minutes=5)


@dataclass(frozen=True)
class GetImage:
    account_id: UUID
    message_id: UUID
    number: int  # the image's place in the message, from 0
    thumbnail: bool = False
    content_wanted: bool = False


@dataclass(frozen=True)
class ImageToShow:
    content_type: str
    # Exactly one of the two: where to fetch it, or its bytes.
    url: str | None
    content: bytes | None


def get_image(messaging: Messaging, command: GetImage) -> ImageToShow:
    message = shown_message(messaging, command.account_id, command.message_id)
    message.check_viewable(messaging.clock())
    return image_to_show(
        messaging, message, command.number, command.thumbnail, command.content_wanted
    )


def image_to_show(
    messaging: Messaging, message: Message, number: int, thumbnail: bool, content_wanted: bool
) -> ImageToShow:
    """Image `number` of a message its caller may see: where to fetch it, or its bytes (always
    when `content_wanted`)."""
    key, content_type = message.stored_image(number, thumbnail=thumbnail)
    url = None if content_wanted else messaging.images.signed_url(key, SIGNED_URL_LIFETIME)
    if url is not None:
        return ImageToShow(content_type, url, None)
    return ImageToShow(content_type, None, messaging.images.get(key))

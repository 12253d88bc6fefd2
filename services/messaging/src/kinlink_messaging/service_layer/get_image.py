"""GetImage: one image of a message (or its thumbnail), for whoever may see the message: its
family member while it may be viewed, or the staff and systems of its facility (an officer
reviewing it, a kiosk showing it). A signed URL where the store signs one, else the bytes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from datetime import timedelta
from uuid import UUID

from kinlink_kit.auth import Principal
from kinlink_kit.auth import Role
from kinlink_kit.errors import NotFound

from kinlink_messaging.domain.message import Message
from kinlink_messaging.domain.message import MessageExpired
from kinlink_messaging.domain.message import MessageNotFound
from kinlink_messaging.service_layer.messaging import Messaging
from kinlink_messaging.service_layer.read_message import shown_message

# Thumbnails are made as JPEG whatever the image's own type.
THUMBNAIL_CONTENT_TYPE = "image/jpeg"


class ImageNotFound(NotFound):
    def __init__(self) -> None:
        super().__init__("image_not_found", "This message has no image at that place.")


@dataclass(frozen=True)
class GetImage:
    message_id: UUID
    index: int
    thumbnail: bool = False


@dataclass(frozen=True)
class ImageFound:
    content_type: str
    # Empty where `url` is set.
    content: bytes = b""
    url: str | None = None
    url_expires_at: datetime | None = None


def get_image(
    messaging: Messaging, caller: Principal, command: GetImage, url_lifetime: timedelta
) -> ImageFound:
    now = messaging.clock()
    message = _visible_message(messaging, caller, command.message_id, now)
    if not 0 <= command.index < len(message.images):
        raise ImageNotFound()
    image = message.images[command.index]
    key, content_type = (
        (image.thumbnail_key, THUMBNAIL_CONTENT_TYPE)
        if command.thumbnail
        else (image.key, image.content_type)
    )
    url = messaging.images.signed_url(key, url_lifetime)
    if url is not None:
        return ImageFound(content_type, url=url, url_expires_at=now + url_lifetime)
    return ImageFound(content_type, messaging.images.get(key))


def _visible_message(
    messaging: Messaging, caller: Principal, message_id: UUID, now: datetime
) -> Message:
    if caller.has(Role.FAMILY_MEMBER):
        message = shown_message(messaging, UUID(caller.account_id), message_id)
        message.check_viewable(now)  # expired, or a collect reply not paid for
        return message
    found = messaging.find(message_id, Message, to_change=False)
    if found is None:
        raise MessageNotFound()
    caller.require_facility(found.facility_id)
    if not found.viewable(now):
        raise MessageExpired()
    return found

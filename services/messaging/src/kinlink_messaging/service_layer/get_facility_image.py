"""GetImage for a facility's staff and systems: an officer reviewing a message, a kiosk showing
it to its resident. Any message of their facility, until it expires."""

from __future__ import annotations

from uuid import UUID

from kinlink_kit.auth import Principal

from kinlink_messaging.domain.message import Message
from kinlink_messaging.domain.message import MessageExpired
from kinlink_messaging.domain.message import MessageNotFound
from kinlink_messaging.service_layer.get_image import ImageToShow
from kinlink_messaging.service_layer.get_image import image_to_show
from kinlink_messaging.service_layer.messaging import Messaging


def get_facility_image(
    messaging: Messaging,
    staff: Principal,
    message_id: UUID,
    number: int,
    thumbnail: bool,
    content_wanted: bool = False,
) -> ImageToShow:
    message = messaging.find(message_id, Message, to_change=False)
    if message is None:
        raise MessageNotFound()
    staff.require_facility(message.facility_id)
    if not message.viewable(messaging.clock()):
        raise MessageExpired()
    return image_to_show(messaging, message, number, thumbnail, content_wanted)

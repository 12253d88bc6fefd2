"""Messages made as a family member's send leaves them (paid for, submitted), for the tests of
what happens after: review, replies, reading."""

from __future__ import annotations

from uuid import UUID

from kinlink_contracts.facility_settings import ReviewPolicy
from kinlink_messaging.domain.ids import message_id
from kinlink_messaging.domain.message import ImageRef
from kinlink_messaging.domain.message import Message
from kinlink_messaging.domain.ports import ChargeItem
from kinlink_messaging.domain.ports import ChargeKind
from kinlink_messaging.service_layer.messaging import Messaging


def sent_message(
    messaging: Messaging,
    account_id: UUID,
    facility_id: str,
    resident_id: str,
    *,
    client_key: str = "compose-1",
    body: str = "Hello from home.",
    thumbnails: tuple[bytes, ...] = (),
) -> Message:
    """Started, charged and submitted; its images' thumbnails stored."""
    new_id = message_id(account_id, client_key)
    images = []
    for number, thumbnail in enumerate(thumbnails):
        key, thumbnail_key = ImageRef.keys(new_id, number)
        messaging.images.put(thumbnail_key, thumbnail, "image/jpeg")
        images.append(ImageRef(key, thumbnail_key, "ab" * 32, "image/jpeg", 800, 600, 1000))
    at = messaging.clock()
    message = Message.start(
        new_id, account_id, facility_id, resident_id, body, tuple(images), None, at
    )
    items = (ChargeItem(ChargeKind.MESSAGE, 1),) + (
        (ChargeItem(ChargeKind.IMAGE, len(images)),) if images else ()
    )
    payment = messaging.wallet.charge(account_id, facility_id, items, message.reference)
    reviewed = messaging.directory.facility(facility_id).review_policy is ReviewPolicy.REVIEW_ALL
    message.submit(payment, reviewed=reviewed, at=at)
    messaging.store.save(message)
    return message

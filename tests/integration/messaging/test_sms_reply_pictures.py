"""Family members' SMS replies with pictures (SmsReplyReceived.pictures), through messaging's
consumer table on SQLite and the real PostgreSQL: each picture read from the SMS gateway and
prepared as an uploaded photo is (re-encoded, its metadata stripped, thumbnailed, stored), the
message carrying it; a picture the preparation refuses refunds and dead-letters the reply; the
gateway unreachable leaves the event to be handled again, never dead-lettered."""

from __future__ import annotations

import hashlib
import io
from uuid import UUID

import pytest
from kinlink_contracts.envelope import Envelope
from kinlink_contracts.sms import SmsReplyPicture
from kinlink_contracts.sms import SmsReplyReceived
from kinlink_messaging.bootstrap import prepare_upload
from kinlink_messaging.domain.message import MessageStatus
from kinlink_messaging.domain.ports import SmsPicturesUnavailable
from kinlink_messaging.service_layer.messaging import Messaging
from kinlink_messaging.service_layer.messaging import PrepareImage
from PIL import Image

from tests.integration.messaging.conftest import Outside
from tests.integration.messaging.test_sms_replies import SmsTopic
from tests.integration.messaging.test_sms_replies import passed_on
from tests.integration.messaging.test_sms_replies import sms_reply
from tests.messaging_doubles import FACILITY
from tests.messaging_doubles import RESIDENT
from tests.photos import CAMERA_SERIAL
from tests.photos import phone_exif


@pytest.fixture
def prepare_image() -> PrepareImage:
    """As the service runs: the pictures are checked and re-encoded."""
    return prepare_upload


def phone_photo(size: tuple[int, int] = (160, 120)) -> bytes:
    content = io.BytesIO()
    Image.new("RGB", size, (40, 140, 90)).save(content, "JPEG", exif=phone_exif())
    return content.getvalue()


def with_pictures(outside: Outside, envelope: Envelope, *photos: bytes) -> Envelope:
    """The reply carrying `photos`, kept by the gateway's stand-in under its SMS id."""
    reply = SmsReplyReceived.model_validate(envelope.payload)
    pictures = []
    for index, photo in enumerate(photos):
        outside.sms_pictures.keep(reply.sms_id, index, photo, "image/jpeg")
        digest = hashlib.sha256(photo).hexdigest()
        pictures.append(
            SmsReplyPicture(
                index=index, content_type="image/jpeg", size_bytes=len(photo), sha256=digest
            )
        )
    with_them = reply.model_copy(update={"pictures": tuple(pictures)})
    return Envelope.wrap(with_them, key=envelope.key, producer="sms-gateway", correlation_id="test")


async def test_a_reply_with_a_picture_carries_it_re_encoded_without_its_metadata(
    messaging: Messaging, outside: Outside, family: UUID
) -> None:
    topic = SmsTopic(messaging)
    envelope = with_pictures(outside, sms_reply(family), phone_photo())

    await topic.deliver(envelope)
    await topic.deliver(envelope)  # delivered again: nothing more

    message = passed_on(messaging, envelope)
    assert message is not None and message.status is MessageStatus.DELIVERED
    (image,) = message.images
    stored = outside.images.get(image.key)
    assert Image.open(io.BytesIO(stored)).getexif() == {}
    assert CAMERA_SERIAL.encode() not in stored
    assert (image.width, image.height) == (160, 120)
    assert outside.images.get(image.thumbnail_key)
    assert outside.sms_pictures.asked == 1
    assert outside.wallet.charged(family) == [] and outside.wallet.refunded == []
    assert topic.dead_letters() == []


async def test_a_picture_the_preparation_refuses_refunds_and_dead_letters_the_reply(
    messaging: Messaging, outside: Outside, family: UUID
) -> None:
    topic = SmsTopic(messaging)
    envelope = with_pictures(outside, sms_reply(family), phone_photo((20, 20)))  # under 64 px

    await topic.deliver(envelope)

    assert passed_on(messaging, envelope) is None
    (letter,) = topic.dead_letters()
    assert ": image_too_small: " in letter["dlq-error"]
    assert outside.images.objects == {}
    reply = SmsReplyReceived.model_validate(envelope.payload)
    assert outside.wallet.refunded == [reply.payment_reference]
    assert outside.wallet.balances[family] == 1000 + 50, "what the gateway took, given back"


async def test_a_reply_refused_after_its_pictures_were_stored_leaves_none_of_them(
    messaging: Messaging, outside: Outside, family: UUID
) -> None:
    topic = SmsTopic(messaging)
    envelope = with_pictures(outside, sms_reply(family), phone_photo())
    blocks = messaging.blocks(family)

    def blocking() -> None:  # the family member blocks the resident while the picture is read
        blocks.block(FACILITY, RESIDENT, messaging.clock())
        messaging.store.save(blocks)

    outside.sms_pictures.while_read = blocking
    await topic.deliver(envelope)

    (letter,) = topic.dead_letters()
    assert ": resident_blocked: " in letter["dlq-error"]
    assert outside.images.objects == {}, "the stored picture deleted with the refusal"


async def test_a_gateway_out_of_reach_leaves_the_reply_to_be_handled_again(
    messaging: Messaging, outside: Outside, family: UUID
) -> None:
    topic = SmsTopic(messaging)
    envelope = with_pictures(outside, sms_reply(family), phone_photo())
    outside.sms_pictures.unavailable = True

    with pytest.raises(SmsPicturesUnavailable):  # the bus delivers it again
        await topic.deliver(envelope)
    assert passed_on(messaging, envelope) is None
    assert topic.dead_letters() == [] and outside.wallet.refunded == []

    outside.sms_pictures.unavailable = False
    await topic.deliver(envelope)
    message = passed_on(messaging, envelope)
    assert message is not None and len(message.images) == 1


async def test_a_picture_not_the_one_paid_for_refunds_and_dead_letters_the_reply(
    messaging: Messaging, outside: Outside, family: UUID
) -> None:
    topic = SmsTopic(messaging)
    envelope = with_pictures(outside, sms_reply(family), phone_photo())
    reply = SmsReplyReceived.model_validate(envelope.payload)
    outside.sms_pictures.keep(reply.sms_id, 0, phone_photo((200, 150)), "image/jpeg")

    await topic.deliver(envelope)

    assert passed_on(messaging, envelope) is None
    (letter,) = topic.dead_letters()
    assert ": sms_picture_gone: " in letter["dlq-error"]
    assert outside.wallet.refunded == [reply.payment_reference]

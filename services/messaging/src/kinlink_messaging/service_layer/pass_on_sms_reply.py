"""A family member's SMS reply to a resident (SmsReplyReceived, from the SMS gateway) becomes a
message to that resident like any other, reviewed as the facility reviews messages. The gateway
charged it on receipt (decision 0046): the message records that payment, its reference and
amount, and is never charged again.

Its pictures (MMS, where the facility takes them) are read from the gateway (GetReplyPicture)
and prepared as an uploaded image is: re-encoded, metadata stripped, thumbnailed, stored. The
gateway unreachable: the event is handled again later, never dead-lettered.

One SMS is one message (its id derived from the SMS's), saved with the event's tracking record,
so the event takes effect once however often it comes. A reply refused here (the resident
released or unknown, blocked by the family member, messaging switched off, a picture the image
preparation refuses or the gateway no longer has) is dead-lettered with its code, and what the
gateway charged for it is refunded: nobody received it."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from functools import partial
from typing import Any
from uuid import UUID

from kinlink_contracts.envelope import Envelope
from kinlink_contracts.facility_settings import ReviewPolicy
from kinlink_contracts.sms import SmsReplyReceived
from kinlink_kit.consumer import PASSING_KINDS
from kinlink_kit.consumer import rejecting
from kinlink_kit.errors import ClientError
from kinlink_kit.eventstore import Tracking
from kinlink_kit.logging import get_logger

from kinlink_messaging.domain.ids import sms_reply_id
from kinlink_messaging.domain.images import ImageUpload
from kinlink_messaging.domain.images import check_image_count
from kinlink_messaging.domain.images import effective_image_rules
from kinlink_messaging.domain.message import ImageRef
from kinlink_messaging.domain.message import Message
from kinlink_messaging.domain.message import check_content
from kinlink_messaging.domain.ports import Payment
from kinlink_messaging.domain.ports import SmsPictureGone
from kinlink_messaging.service_layer.messaging import Messaging
from kinlink_messaging.service_layer.messaging import PreparedImage
from kinlink_messaging.service_layer.send_message import check_recipient
from kinlink_messaging.service_layer.send_message import store_images

log = get_logger(__name__)


def sms_reply_received(messaging: Messaging, envelope: Envelope, tracking: Tracking) -> None:
    reply = SmsReplyReceived.model_validate(envelope.payload)
    with rejecting(envelope):
        pass_on_sms_reply(messaging, reply, partial(messaging.store.save_tracked, tracking))


def pass_on_sms_reply(
    messaging: Messaging, reply: SmsReplyReceived, save: Callable[..., Any]
) -> Message:
    """The reply as a submitted message, handed to `save`; the one already made from the same
    SMS if there is one. A refusal that will not pass refunds the SMS's payment first."""
    message_id = sms_reply_id(reply.sms_id)
    if (passed_on := messaging.find(message_id, Message)) is not None:
        save()  # the same SMS in an event published again: recorded as handled, nothing more
        return passed_on
    payment = Payment(reply.payment_reference, reply.amount_cents)
    try:
        check_content(reply.body, len(reply.pictures))
        return _submit(messaging, reply, message_id, payment, save)
    except ClientError as refusal:
        if refusal.kind not in PASSING_KINDS:
            reason = f"sms reply refused: {refusal.code}"
            messaging.wallet.refund(reply.account_id, reply.facility_id, payment, reason)
            _delete_pictures(messaging, message_id, len(reply.pictures))
            log.info("sms reply refused, refunded", sms_id=str(reply.sms_id), code=refusal.code)
        raise


def _submit(
    messaging: Messaging,
    reply: SmsReplyReceived,
    message_id: UUID,
    payment: Payment,
    save: Callable[..., Any],
) -> Message:
    # Checked before its pictures are read: a reply refused anyway costs the gateway nothing.
    check_recipient(messaging, reply.account_id, reply.facility_id, reply.resident_id)
    images = store_images(messaging, message_id, _prepared_pictures(messaging, reply))

    def attempt() -> Message:
        facility = check_recipient(
            messaging, reply.account_id, reply.facility_id, reply.resident_id
        )
        at = messaging.clock()
        message = Message.start(
            message_id,
            reply.account_id,
            reply.facility_id,
            reply.resident_id,
            reply.body,
            images,
            None,
            at,
        )
        message.submit(payment, reviewed=facility.review_policy is ReviewPolicy.REVIEW_ALL, at=at)
        save(message)
        return message

    # The event handled by two consumers at once: the one saved second finds the first's.
    return messaging.retrying(attempt, on_conflict=lambda: messaging.find(message_id, Message))


def _prepared_pictures(messaging: Messaging, reply: SmsReplyReceived) -> list[PreparedImage]:
    """Each picture read from the gateway and prepared under the facility's image rules."""
    if not reply.pictures:
        return []
    rules = messaging.directory.facility(reply.facility_id).image_rules
    check_image_count(len(reply.pictures), effective_image_rules(rules))
    prepared = []
    for picture in reply.pictures:
        fetched = messaging.sms_pictures.reply_picture(reply.sms_id, picture.index)
        if hashlib.sha256(fetched.content).hexdigest() != picture.sha256:
            raise SmsPictureGone()  # not the picture the family member paid for
        upload = ImageUpload(f"sms-{picture.index}", fetched.content_type, fetched.content)
        prepared.append(messaging.prepare_image(upload, rules))
    return prepared


def _delete_pictures(messaging: Messaging, message_id: UUID, count: int) -> None:
    """What was stored of a refused reply's pictures: no message will ever show them."""
    for number in range(count):
        for key in ImageRef.keys(message_id, number):
            messaging.images.delete(key)

"""Pictures in a family member's SMS reply (MMS) at a facility with `mms_available`, on SQLite
and the real PostgreSQL: fetched from the carrier, checked against the facility's image rules
before anything is charged, charged with the text in one charge, kept under the reply's id and
listed in SmsReplyReceived; a picture against the rules refuses the reply, nothing charged."""

from __future__ import annotations

import hashlib
import io
from datetime import timedelta
from uuid import UUID

import grpc
import pytest
from kinlink.sms.v1 import sms_pb2 as pb
from kinlink.sms.v1 import sms_pb2_grpc
from kinlink_contracts.facility_settings import ImageRules
from kinlink_contracts.sms import SmsReplyReceived
from kinlink_kit.auth import Role
from kinlink_kit.testing import Clock
from kinlink_kit.testing import refused_over_grpc
from kinlink_sms.domain.inbound_sms import InboundSms
from kinlink_sms.domain.inbound_sms import InboundStatus
from kinlink_sms.domain.inbound_sms import RefusalReason
from kinlink_sms.domain.ports import CarrierUnavailable
from kinlink_sms.domain.ports import PictureGone
from kinlink_sms.domain.ports import ReceivedPicture
from kinlink_sms.domain.ports import ReceivedSms
from kinlink_sms.domain.subscription import SmsSubscription
from kinlink_sms.service_layer.charge_reply import settle_replies
from kinlink_sms.service_layer.gateway import SmsGateway
from kinlink_sms.service_layer.receive_sms import ANSWERS
from kinlink_sms.service_layer.receive_sms import receive_sms
from kinlink_sms.service_layer.reply_pictures import ReplyPictureNotFound
from kinlink_sms.service_layer.reply_pictures import reply_picture
from PIL import Image

from tests.conftest import TokenKeys
from tests.conftest import bearer
from tests.integration.sms.subscribed import published_replies
from tests.integration.sms.subscribed import subscribed
from tests.sms_doubles import MMS_FACILITY
from tests.sms_doubles import SmsOutside
from tests.sms_doubles import sms_facility_settings

PHONE = "+13125550123"


def jpeg() -> bytes:
    content = io.BytesIO()
    Image.new("RGB", (120, 90), (30, 120, 200)).save(content, "JPEG")
    return content.getvalue()


@pytest.fixture
def conversation(gateway: SmsGateway, outside: SmsOutside, family: UUID) -> SmsSubscription:
    """SMS on for the resident at FAC-MMS (5 cents a segment, 25 a picture), on PHONE."""
    return subscribed(gateway, outside, family, PHONE, MMS_FACILITY)


def mms_to(
    conversation: SmsSubscription, body: str, *pictures: ReceivedPicture, sid: str = "MM1"
) -> ReceivedSms:
    assert conversation.kinlink_number is not None
    return ReceivedSms(sid, PHONE, conversation.kinlink_number, body, 1, pictures)


def served(outside: SmsOutside, name: str, content: bytes, content_type: str) -> ReceivedPicture:
    """A picture the carrier serves, as the webhook names it."""
    url = outside.carrier.keep_picture(
        f"https://api.twilio.com/Media/{name}", content, content_type
    )
    return ReceivedPicture(url, content_type)


def with_rules(outside: SmsOutside, **rules: object) -> None:
    outside.directory.facilities[MMS_FACILITY] = sms_facility_settings(
        mms_available=True, image_rules=ImageRules(**rules)
    )


def test_a_reply_with_a_picture_is_charged_with_it_kept_and_listed_in_the_event(
    gateway: SmsGateway, outside: SmsOutside, family: UUID, conversation: SmsSubscription
) -> None:
    photo = jpeg()
    sms = mms_to(conversation, "Our new dog", served(outside, "ME1", photo, "image/jpeg"))

    assert receive_sms(gateway, sms) is None
    assert receive_sms(gateway, sms) is None  # posted again: fetched and charged once

    [payment] = outside.wallet.charged(family)
    assert (payment.reference, payment.amount_cents) == ("sms:MM1", 5 + 25)
    assert outside.carrier.fetched == ["https://api.twilio.com/Media/ME1"]
    [envelope] = published_replies(gateway)
    received = SmsReplyReceived.model_validate(envelope.payload)
    assert [(p.index, p.content_type, p.size_bytes, p.sha256) for p in received.pictures] == [
        (0, "image/jpeg", len(photo), hashlib.sha256(photo).hexdigest())
    ]
    picture, content = reply_picture(gateway, received.sms_id, 0)
    assert content == photo and picture.content_type == "image/jpeg"


@pytest.mark.parametrize(
    ("rules", "declared", "served_as", "refusal"),
    [
        ({"max_per_message": 1}, "image/jpeg", "image/jpeg", None),  # two pictures: see below
        ({}, "image/gif", "image/gif", RefusalReason.PICTURE_TYPE_REFUSED),
        ({}, "image/jpeg", "image/gif", RefusalReason.PICTURE_TYPE_REFUSED),  # served as another
        ({"max_bytes": 100}, "image/jpeg", "image/jpeg", RefusalReason.PICTURE_TOO_LARGE),
    ],
)
def test_a_picture_against_the_facilitys_image_rules_refuses_the_reply_and_charges_nothing(
    gateway: SmsGateway,
    outside: SmsOutside,
    family: UUID,
    conversation: SmsSubscription,
    rules: dict[str, object],
    declared: str,
    served_as: str,
    refusal: RefusalReason | None,
) -> None:
    with_rules(outside, **rules)
    picture = served(outside, "ME2", jpeg(), served_as)
    pictures = (ReceivedPicture(picture.url, declared),)
    if refusal is None:  # one picture more than the facility takes in one message
        pictures, refusal = pictures * 2, RefusalReason.TOO_MANY_PICTURES
    sms = mms_to(conversation, "Look!", *pictures)

    assert receive_sms(gateway, sms) == ANSWERS[refusal]
    refused = gateway.find(InboundSms.create_id(sms.sid), InboundSms)
    assert refused is not None and refused.refusal is refusal
    assert outside.wallet.charged(family) == []
    assert [e.type for e in published_replies(gateway)] == ["SmsReplyRefused"]
    with pytest.raises(ReplyPictureNotFound):
        reply_picture(gateway, refused.id, 0)


def test_a_picture_the_carrier_does_not_have_refuses_the_reply_and_charges_nothing(
    gateway: SmsGateway, outside: SmsOutside, family: UUID, conversation: SmsSubscription
) -> None:
    kept = served(outside, "ME10", jpeg(), "image/jpeg")
    missing = ReceivedPicture("https://api.twilio.com/Media/ME404", "image/jpeg")
    with_rules(outside, max_per_message=2)
    sms = mms_to(conversation, "Look!", kept, missing)

    assert receive_sms(gateway, sms) == ANSWERS[RefusalReason.PICTURE_UNREADABLE]
    assert outside.wallet.charged(family) == []
    assert not (gateway.pictures.root / str(InboundSms.create_id(sms.sid))).exists()  # type: ignore[attr-defined]


def test_pictures_without_a_word_are_refused_as_a_reply_needs_its_text(
    gateway: SmsGateway, outside: SmsOutside, family: UUID, conversation: SmsSubscription
) -> None:
    sms = mms_to(conversation, " ", served(outside, "ME3", jpeg(), "image/jpeg"))

    assert receive_sms(gateway, sms) == ANSWERS[RefusalReason.BODY_MISSING]
    assert outside.wallet.charged(family) == []
    assert outside.carrier.fetched == []


def test_a_carrier_that_cannot_serve_the_pictures_leaves_nothing_saved_nor_charged(
    gateway: SmsGateway, outside: SmsOutside, family: UUID, conversation: SmsSubscription
) -> None:
    sms = mms_to(conversation, "Look!", served(outside, "ME4", jpeg(), "image/jpeg"))
    outside.carrier.unreachable = True

    with pytest.raises(CarrierUnavailable):  # the webhook answers 503: Twilio may post again
        receive_sms(gateway, sms)
    assert gateway.find(InboundSms.create_id(sms.sid), InboundSms) is None
    assert outside.wallet.charged(family) == []

    outside.carrier.unreachable = False
    assert receive_sms(gateway, sms) is None
    passed = gateway.find(InboundSms.create_id(sms.sid), InboundSms)
    assert passed is not None and passed.status is InboundStatus.PASSED_ON


def test_a_replica_without_the_picture_fetches_it_again_and_checks_its_digest(
    gateway: SmsGateway, outside: SmsOutside, family: UUID, conversation: SmsSubscription
) -> None:
    photo = jpeg()
    picture = served(outside, "ME5", photo, "image/jpeg")
    sms = mms_to(conversation, "Look!", picture)
    receive_sms(gateway, sms)
    inbound_id = InboundSms.create_id(sms.sid)
    (gateway.pictures.root / str(inbound_id) / "0").unlink()  # type: ignore[attr-defined]

    assert reply_picture(gateway, inbound_id, 0)[1] == photo
    assert outside.carrier.fetched == [picture.url, picture.url]

    (gateway.pictures.root / str(inbound_id) / "0").unlink()  # type: ignore[attr-defined]
    outside.carrier.keep_picture(picture.url, photo + b"changed", "image/jpeg")
    with pytest.raises(PictureGone):
        reply_picture(gateway, inbound_id, 0)


async def test_messaging_reads_a_picture_over_grpc_and_no_one_else_does(
    gateway: SmsGateway,
    outside: SmsOutside,
    conversation: SmsSubscription,
    sms_stub: sms_pb2_grpc.SmsGatewayServiceStub,
    token_keys: TokenKeys,
) -> None:
    photo = jpeg()
    sms = mms_to(conversation, "Look!", served(outside, "ME6", photo, "image/jpeg"))
    receive_sms(gateway, sms)
    sms_id = str(InboundSms.create_id(sms.sid))
    messaging = bearer(token_keys.token("messaging", Role.PLATFORM_SERVICE))

    picture = await sms_stub.GetReplyPicture(
        pb.GetReplyPictureRequest(sms_id=sms_id, index=0), metadata=messaging
    )

    assert (picture.content, picture.content_type) == (photo, "image/jpeg")
    assert picture.sha256 == hashlib.sha256(photo).hexdigest()
    for index in (1, -1):
        await refused_over_grpc(
            sms_stub.GetReplyPicture(
                pb.GetReplyPictureRequest(sms_id=sms_id, index=index), metadata=messaging
            ),
            grpc.StatusCode.NOT_FOUND,
            "reply_picture_not_found",
            "index",
        )
    family_member = bearer(token_keys.token(str(conversation.account_id), Role.FAMILY_MEMBER))
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await sms_stub.GetReplyPicture(
            pb.GetReplyPictureRequest(sms_id=sms_id, index=0), metadata=family_member
        )
    assert refused.value.code() is grpc.StatusCode.PERMISSION_DENIED


def test_a_reply_with_a_picture_left_uncharged_is_charged_with_it_by_the_settle_sweep(
    gateway: SmsGateway,
    outside: SmsOutside,
    family: UUID,
    conversation: SmsSubscription,
    clock: Clock,
) -> None:
    sms = mms_to(conversation, "Look!", served(outside, "ME9", jpeg(), "image/jpeg"))
    outside.wallet.unreachable = True
    assert receive_sms(gateway, sms) is None  # nothing said: the sweep charges it
    outside.wallet.unreachable = False
    clock.now += timedelta(minutes=5)

    assert settle_replies(gateway, timedelta(minutes=5)) == 1

    [payment] = outside.wallet.charged(family)
    assert (payment.reference, payment.amount_cents) == ("sms:MM1", 5 + 25)
    [envelope] = published_replies(gateway)
    assert len(SmsReplyReceived.model_validate(envelope.payload).pictures) == 1

"""The pictures of an SMS reply fetched from Twilio's media URLs through the SDK's HTTP client,
signed in with the account's SID and token, against the local stand-in; and an MMS posted to the
webhook as Twilio posts it, its picture fetched and charged, on SQLite and the real PostgreSQL."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import replace
from uuid import uuid4

import pytest
from kinlink_contracts.sms import SmsReplyReceived
from kinlink_kit.testing import Clock
from kinlink_sms.adapters.twilio_carrier import TwilioCarrier
from kinlink_sms.bootstrap import SmsSettings
from kinlink_sms.bootstrap import build_sms_gateway
from kinlink_sms.domain.ports import CarrierUnavailable
from kinlink_sms.domain.ports import PictureGone
from kinlink_sms.service_layer.gateway import SmsGateway

from tests.integration.sms.subscribed import published_replies
from tests.integration.sms.subscribed import subscribed
from tests.integration.sms.test_replies_through_the_webhook import GatewayReplies
from tests.integration.sms.test_reply_pictures import jpeg
from tests.integration.sms.test_webhook import INBOUND_URL
from tests.integration.sms.test_webhook import PUBLIC_URL
from tests.integration.sms.test_webhook import serving as serving_webhook
from tests.sms_doubles import MMS_FACILITY
from tests.sms_doubles import SmsOutside
from tests.twilio_standin import TwilioStandin

PHONE = "+13125550123"


def test_a_picture_is_fetched_with_the_accounts_credentials(
    twilio_standin: TwilioStandin,
) -> None:
    photo = jpeg()
    url = twilio_standin.keep_media(photo, "image/jpeg")

    fetched = TwilioCarrier(twilio_standin.account(PUBLIC_URL)).fetch_picture(url)

    assert (fetched.content, fetched.content_type) == (photo, "image/jpeg")
    assert twilio_standin.refusals == []


def test_wrong_credentials_are_the_carrier_unavailable_and_a_missing_picture_gone(
    twilio_standin: TwilioStandin,
) -> None:
    url = twilio_standin.keep_media(jpeg(), "image/jpeg")
    account = twilio_standin.account(PUBLIC_URL)

    with pytest.raises(CarrierUnavailable):  # our credentials: not the family member's fault
        TwilioCarrier(replace(account, auth_token="f" * 32)).fetch_picture(url)
    with pytest.raises(PictureGone):
        TwilioCarrier(account).fetch_picture(url.rsplit("/", 1)[0] + "/ME" + "0" * 32)
    assert [r.status for r in twilio_standin.refusals] == [401, 404]


@pytest.fixture
def through_twilio(
    sms_settings: SmsSettings, outside: SmsOutside, clock: Clock, twilio_standin: TwilioStandin
) -> Iterator[SmsGateway]:
    """Another replica of the gateway on the same database, its carrier Twilio's SDK."""
    gateway = build_sms_gateway(
        sms_settings,
        carrier=TwilioCarrier(twilio_standin.account(PUBLIC_URL)),
        wallet=outside.wallet,
        messages=outside.messages,
        directory=outside.directory,
    )
    gateway.clock = clock
    yield gateway
    gateway.close()


async def test_an_mms_posted_to_the_webhook_is_charged_with_its_picture_fetched_from_twilio(
    gateway: SmsGateway,
    through_twilio: SmsGateway,
    outside: SmsOutside,
    twilio_standin: TwilioStandin,
) -> None:
    family = uuid4()
    outside.wallet.fund(family, 100)
    kinlink_number = subscribed(gateway, outside, family, PHONE, MMS_FACILITY).kinlink_number
    assert kinlink_number is not None
    photo = jpeg()
    media = ((twilio_standin.keep_media(photo, "image/jpeg"), "image/jpeg"),)
    mms = twilio_standin.inbound_sms(INBOUND_URL, PHONE, kinlink_number, "Our dog", media)

    async with serving_webhook(GatewayReplies(through_twilio), twilio_standin.auth_token) as hook:
        answer = await hook.deliver(mms)

    assert answer.status_code == 200 and answer.text.endswith("<Response />")
    (payment,) = outside.wallet.charged(family)
    assert payment.amount_cents == 5 + 25
    [envelope] = published_replies(through_twilio)
    [picture] = SmsReplyReceived.model_validate(envelope.payload).pictures
    assert picture.sha256 == hashlib.sha256(photo).hexdigest()
    assert twilio_standin.refusals == []

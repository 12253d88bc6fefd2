"""The gateway as bootstrap builds it from its settings sends its verification codes through
the carrier those settings choose: Twilio's SDK (here at the stand-in) with an account, the
simulated carrier's files without one; on SQLite and on the real PostgreSQL."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from uuid import uuid4

import pytest
from kinlink_contracts.sms_consent import CURRENT_SMS_CONSENT_VERSION
from kinlink_kit.testing import STORAGES
from kinlink_kit.testing import Clock
from kinlink_kit.testing import settings_on
from kinlink_sms.bootstrap import SmsSettings
from kinlink_sms.bootstrap import build_sms_gateway
from kinlink_sms.domain.phone_number import PhoneNumberUnreachable
from kinlink_sms.service_layer.gateway import SmsGateway
from kinlink_sms.service_layer.get_phone_number_status import get_phone_number_status
from kinlink_sms.service_layer.start_verification import StartVerification
from kinlink_sms.service_layer.start_verification import start_verification

from tests.sms_doubles import KINLINK_NUMBERS
from tests.sms_doubles import RESIDENT
from tests.sms_doubles import SMS_FACILITY
from tests.sms_doubles import SmsOutside
from tests.twilio_standin import TwilioStandin

PUBLIC_URL = "https://sms.kinlink.example"
PHONE = "+13125550123"
NOT_A_MOBILE = "+13125551614"


@pytest.fixture(params=STORAGES)
def storage(request: pytest.FixtureRequest) -> pytest.FixtureRequest:
    return request


def gateway_on(settings: SmsSettings, outside: SmsOutside, clock: Clock) -> SmsGateway:
    """Built as the service builds itself, but for the carrier with the tests' other ports."""
    gateway = build_sms_gateway(
        settings, wallet=outside.wallet, messages=outside.messages, directory=outside.directory
    )
    gateway.clock = clock
    return gateway


@pytest.fixture
def through_twilio(
    storage: pytest.FixtureRequest, twilio_standin: TwilioStandin, clock: Clock
) -> Iterator[tuple[SmsGateway, SmsOutside]]:
    settings = settings_on(
        storage,
        SmsSettings,
        kafka_bootstrap=None,
        sms_numbers=list(KINLINK_NUMBERS),
        twilio_account_sid=twilio_standin.account_sid,
        twilio_auth_token=twilio_standin.auth_token,
        twilio_api_base_url=twilio_standin.base_url,
        sms_webhook_public_url=PUBLIC_URL,
    )
    outside = SmsOutside()
    gateway = gateway_on(settings, outside, clock)
    yield gateway, outside
    gateway.close()


def start(gateway: SmsGateway, outside: SmsOutside, phone: str) -> str:
    """Starts verifying `phone` for a family member who wrote to RESIDENT; the subscription."""
    account_id = uuid4()
    outside.directory.correspond(account_id, SMS_FACILITY, RESIDENT)
    subscription = start_verification(
        gateway,
        StartVerification(account_id, SMS_FACILITY, RESIDENT, phone, CURRENT_SMS_CONSENT_VERSION),
    )
    return str(subscription.id)


def test_a_code_goes_out_through_twilios_sdk_naming_its_status_callback(
    through_twilio: tuple[SmsGateway, SmsOutside], twilio_standin: TwilioStandin
) -> None:
    gateway, outside = through_twilio

    subscription_id = start(gateway, outside, PHONE)

    [sent] = twilio_standin.messages.values()
    assert (sent.to, sent.from_) == (PHONE, KINLINK_NUMBERS[0])
    assert re.fullmatch(r"Kinlink: your code is \d{6}\. It expires in 10 minutes\.", sent.body)
    # The reference names the code too, by its salt: a report may come before its SID is kept.
    assert re.fullmatch(
        rf"{re.escape(PUBLIC_URL)}/sms/status/code:{subscription_id}:[0-9a-f]{{32}}",
        sent.status_callback,
    )
    assert twilio_standin.refusals == []


def test_a_number_twilio_refuses_is_marked_and_the_family_member_told(
    through_twilio: tuple[SmsGateway, SmsOutside], twilio_standin: TwilioStandin
) -> None:
    gateway, outside = through_twilio
    twilio_standin.refuse(NOT_A_MOBILE, 21614)

    with pytest.raises(PhoneNumberUnreachable):
        start(gateway, outside, NOT_A_MOBILE)

    assert [refusal.code for refusal in twilio_standin.refusals] == [21614]
    assert get_phone_number_status(gateway, NOT_A_MOBILE).unreachable_at is not None


def test_without_an_account_the_code_is_a_file_of_the_simulated_carrier(
    storage: pytest.FixtureRequest, tmp_path: Path, clock: Clock
) -> None:
    settings = settings_on(
        storage, SmsSettings, kafka_bootstrap=None, sms_numbers=list(KINLINK_NUMBERS)
    ).model_copy(update={"data_dir": tmp_path})
    outside = SmsOutside()
    gateway = gateway_on(settings, outside, clock)
    try:
        subscription_id = start(gateway, outside, PHONE)
    finally:
        gateway.close()

    [written] = [json.loads(path.read_text()) for path in (tmp_path / "sms").glob("*.json")]
    assert (written["to"], written["from"]) == (PHONE, KINLINK_NUMBERS[0])
    assert re.fullmatch(rf"code:{subscription_id}:[0-9a-f]{{32}}", written["reference"])
    assert written["body"].startswith("Kinlink: your code is ")

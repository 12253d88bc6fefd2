"""The Twilio carrier through Twilio's own SDK, against the local stand-in: what it sends, how
Twilio's refusals and its silence come back to the gateway."""

from __future__ import annotations

import pytest
from kinlink_kit.testing import free_port
from kinlink_sms.adapters.twilio_carrier import TwilioCarrier
from kinlink_sms.adapters.twilio_settings import TwilioAccount
from kinlink_sms.domain.ports import CarrierRefused
from kinlink_sms.domain.ports import CarrierStatus
from kinlink_sms.domain.ports import CarrierUnavailable
from kinlink_sms.domain.ports import OutgoingSms

from tests.twilio_standin import TwilioStandin

PUBLIC_URL = "https://sms.kinlink.example"
KINLINK_NUMBER = "+15005550006"
FAMILY_PHONE = "+12025550123"


def an_sms(to: str = FAMILY_PHONE, **changes: object) -> OutgoingSms:
    fields: dict[str, object] = {
        "reference": "sms:2f1c5e0a-9b7d-4c3e-8a61-0d2b9e4f7a15",
        "to": to,
        "from_": KINLINK_NUMBER,
        "body": "Kinlink: Ada Lovelace: Hello from R-1001.",
    } | changes
    return OutgoingSms(**fields)  # type: ignore[arg-type]


def carrier_of(standin: TwilioStandin) -> TwilioCarrier:
    return TwilioCarrier(standin.account(PUBLIC_URL))


def test_an_sms_is_created_through_the_sdk_with_its_status_callback(
    twilio_standin: TwilioStandin,
) -> None:
    receipt = carrier_of(twilio_standin).send(an_sms())

    assert receipt.sid.startswith("SM") and len(receipt.sid) == 34
    assert receipt.status is CarrierStatus.QUEUED
    sent = twilio_standin.messages[receipt.sid]
    assert (sent.to, sent.from_, sent.body) == (
        FAMILY_PHONE,
        KINLINK_NUMBER,
        "Kinlink: Ada Lovelace: Hello from R-1001.",
    )
    assert sent.media_urls == ()
    assert sent.num_segments == 1
    assert sent.status_callback == (
        "https://sms.kinlink.example/sms/status/sms:2f1c5e0a-9b7d-4c3e-8a61-0d2b9e4f7a15"
    )
    assert twilio_standin.refusals == []


def test_an_mms_carries_its_pictures_and_may_have_no_text(twilio_standin: TwilioStandin) -> None:
    pictures = ("https://images.kinlink.example/a.jpg", "https://images.kinlink.example/b.jpg")

    receipt = carrier_of(twilio_standin).send(an_sms(body="", media_urls=pictures))

    assert receipt.sid.startswith("MM")
    assert twilio_standin.messages[receipt.sid].media_urls == pictures
    assert twilio_standin.messages[receipt.sid].body == ""


def test_the_status_of_a_message_is_read_back(twilio_standin: TwilioStandin) -> None:
    carrier = carrier_of(twilio_standin)
    sid = carrier.send(an_sms()).sid
    twilio_standin.report_status(sid, "undelivered", error_code=30003)

    report = carrier.status(sid)

    assert (report.sid, report.status, report.error_code) == (
        sid,
        CarrierStatus.UNDELIVERED,
        30003,
    )


@pytest.mark.parametrize(
    ("to", "code"),
    [
        ("+15005550001", 21211),  # not a valid number
        ("+15005550004", 21610),  # the number sent STOP
        ("+15005550009", 21614),  # not a mobile number
        ("202-555-0123", 21211),  # not E.164
    ],
)
def test_twilio_refusing_an_sms_is_carrier_refused_with_its_code(
    twilio_standin: TwilioStandin, to: str, code: int
) -> None:
    with pytest.raises(CarrierRefused) as refused:
        carrier_of(twilio_standin).send(an_sms(to=to))

    assert refused.value.carrier_error_code == code
    assert refused.value.code == "carrier_refused"
    assert twilio_standin.messages == {}


def test_a_message_twilio_does_not_know_is_refused_with_its_code(
    twilio_standin: TwilioStandin,
) -> None:
    with pytest.raises(CarrierRefused) as refused:
        carrier_of(twilio_standin).status("SM" + "0" * 32)

    assert refused.value.carrier_error_code == 20404


def test_wrong_credentials_are_unavailable_not_a_refusal_of_the_sms(
    twilio_standin: TwilioStandin,
) -> None:
    account = twilio_standin.account(PUBLIC_URL)
    wrong = TwilioAccount(account.sid, "0" * 32, account.api_base_url, PUBLIC_URL)

    with pytest.raises(CarrierUnavailable):
        TwilioCarrier(wrong).send(an_sms())

    assert [refusal.code for refusal in twilio_standin.refusals] == [20003]
    assert twilio_standin.messages == {}


@pytest.mark.parametrize(("status", "code"), [(500, 20500), (503, 20503), (429, 20429)])
def test_twilio_failing_or_throttling_is_unavailable(
    twilio_standin: TwilioStandin, status: int, code: int
) -> None:
    carrier = carrier_of(twilio_standin)
    twilio_standin.fail_next(status, code, "Service unavailable")

    with pytest.raises(CarrierUnavailable):
        carrier.send(an_sms())

    assert carrier.send(an_sms()).sid in twilio_standin.messages  # the next call passes


def test_twilio_unreachable_is_unavailable(twilio_standin: TwilioStandin) -> None:
    carrier = carrier_of(twilio_standin)
    twilio_standin.stop()

    with pytest.raises(CarrierUnavailable):
        carrier.send(an_sms())
    with pytest.raises(CarrierUnavailable):
        carrier.status("SM" + "0" * 32)


def test_nothing_listening_at_the_base_url_is_unavailable() -> None:
    nowhere = TwilioAccount("AC" + "0" * 32, "token", f"http://127.0.0.1:{free_port()}", PUBLIC_URL)

    with pytest.raises(CarrierUnavailable):
        TwilioCarrier(nowhere).send(an_sms())

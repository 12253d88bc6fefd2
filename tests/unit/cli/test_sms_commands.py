"""The `kinlink sms ...` commands against a stand-in SMS gateway served over gRPC: each verb
sends the request its options say with the caller's token, shows the answer on one line (times
in the terminal's zone, money in dollars) or as JSON, and a refusal by its stable code."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from click.testing import CliRunner
from click.testing import Result
from google.protobuf.timestamp_pb2 import Timestamp
from kinlink.sms.v1 import sms_pb2 as pb
from kinlink.sms.v1 import sms_pb2_grpc
from kinlink_cli.main import cli
from kinlink_contracts.sms_consent import CURRENT_SMS_CONSENT_VERSION
from kinlink_kit.errors import InvalidArgument
from kinlink_kit.errors import PermissionDenied

from tests.unit.cli.stand_in import StandIn
from tests.unit.cli.stand_in import served as served_stand_in

# 2026-12-07 18:00 UTC: noon in the terminal's zone.
NOON = 1_796_666_400
TERMINAL_ZONE = "America/Chicago"
CONSENT = pb.SmsConsent(version="v1", text="Kinlink texts you a resident's messages.\nSTOP ends.")


@pytest.fixture
def gateway() -> Iterator[tuple[StandIn, str]]:
    with served_stand_in(
        sms_pb2_grpc.SmsGatewayServiceServicer, sms_pb2_grpc.add_SmsGatewayServiceServicer_to_server
    ) as serving:
        yield serving


@pytest.fixture
def stand_in(gateway: tuple[StandIn, str]) -> StandIn:
    return gateway[0]


@pytest.fixture
def kinlink(gateway: tuple[StandIn, str], tmp_path: Any) -> Any:
    def run(*args: str) -> Result:
        env = {
            "KINLINK_TARGET": gateway[1],
            "KINLINK_TOKEN": "family-token",
            "XDG_CONFIG_HOME": str(tmp_path),
            "TZ": TERMINAL_ZONE,
        }
        return CliRunner(env=env).invoke(cli, ["sms", *args])

    return run


def at(seconds: int) -> Timestamp:
    return Timestamp(seconds=seconds)


def verification(**fields: Any) -> pb.Verification:
    defaults: dict[str, Any] = {
        "facility_id": "FAC-DEMO",
        "resident_id": "R-1001",
        "phone_number": "+13125550188",
        "code_expires_at": at(NOON + 600),
        "resend_available_at": at(NOON + 60),
        "attempts_left": 5,
        "consent": CONSENT,
    }
    return pb.Verification(**{**defaults, **fields})


ON = pb.SmsSubscription(
    facility_id="FAC-DEMO",
    resident_id="R-1001",
    status=pb.SMS_SUBSCRIPTION_STATUS_ON,
    phone_number="+13125550188",
    kinlink_number="+13125559000",
)


def test_on_texts_a_code_and_shows_the_consent_words_with_the_next_step(
    kinlink: Any, stand_in: StandIn
) -> None:
    stand_in.answers["StartVerification"] = verification()
    result = kinlink("on", "--facility=FAC-DEMO", "--resident=R-1001", "--phone=(312) 555-0188")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "Code sent to +13125550188 for R-1001 at FAC-DEMO: valid until 2026-12-07 12:10 CST, "
        "5 tries left; a new code from 2026-12-07 12:01 CST.",
        "By confirming the code you agree to (consent v1):",
        "  Kinlink texts you a resident's messages.",
        "  STOP ends.",
        "Then: kinlink sms confirm --facility FAC-DEMO --resident R-1001 --code CODE",
    ]
    (method, request, token) = stand_in.calls[0]
    assert method == "StartVerification" and token == "Bearer family-token"
    assert request == pb.StartVerificationRequest(
        facility_id="FAC-DEMO",
        resident_id="R-1001",
        phone_number="(312) 555-0188",
        consent_version=CURRENT_SMS_CONSENT_VERSION,
    )


def test_confirm_status_off_and_list_show_one_line_a_resident(
    kinlink: Any, stand_in: StandIn
) -> None:
    stand_in.answers["ConfirmVerification"] = ON
    confirmed = kinlink("confirm", "--facility=FAC-DEMO", "--resident=R-1001", "--code=123456")
    assert confirmed.stdout == "R-1001 at FAC-DEMO  on  to +13125550188 from +13125559000\n"
    assert stand_in.calls[-1][1].code == "123456"

    unreachable = pb.SmsSubscription(
        facility_id="FAC-DEMO",
        resident_id="R-1001",
        status=pb.SMS_SUBSCRIPTION_STATUS_OFF,
        off_reason=pb.SMS_OFF_REASON_NUMBER_UNREACHABLE,
        phone_number="+13125550188",
        kinlink_number="+13125559000",
    )
    stand_in.answers["GetSmsSubscription"] = unreachable
    status = kinlink("status", "--facility=FAC-DEMO", "--resident=R-1001")
    assert "off: the carrier cannot reach the number: try another" in status.stdout

    stand_in.answers["DisableSms"] = pb.SmsSubscription(
        facility_id="FAC-DEMO", resident_id="R-1001", status=pb.SMS_SUBSCRIPTION_STATUS_OFF
    )
    off = kinlink("off", "--facility=FAC-DEMO", "--resident=R-1001")
    assert off.stdout == "R-1001 at FAC-DEMO  off: turned off\n"

    stand_in.answers["ListSmsSubscriptions"] = pb.ListSmsSubscriptionsResponse()
    assert kinlink("list").stdout == "SMS notifications are set up for no resident.\n"
    changing = pb.SmsSubscription(
        facility_id="FAC-DEMO",
        resident_id="R-1001",
        status=pb.SMS_SUBSCRIPTION_STATUS_VERIFYING,
        phone_number="+13125550188",
        kinlink_number="+13125559000",
        pending_verification=verification(phone_number="+13125550199"),
    )
    stand_in.answers["ListSmsSubscriptions"] = pb.ListSmsSubscriptionsResponse(
        subscriptions=[changing]
    )
    assert kinlink("list").stdout == (
        "R-1001 at FAC-DEMO  waiting for the code  to +13125550188 from +13125559000  "
        "code sent to +13125550199\n"
    )


def test_resend_shows_the_new_code_and_a_refusal_its_code(kinlink: Any, stand_in: StandIn) -> None:
    stand_in.answers["ResendVerificationCode"] = verification(attempts_left=5)
    resent = kinlink("resend", "--facility=FAC-DEMO", "--resident=R-1001")
    assert resent.stdout.startswith("Code sent to +13125550188")
    stand_in.answers["StartVerification"] = InvalidArgument(
        "phone_number_unreachable", "the carrier reports 30006", field="phone_number"
    )
    refused = kinlink("on", "--facility=FAC-DEMO", "--resident=R-1001", "--phone=3125550100")
    assert refused.exit_code == 1
    assert "error: phone_number_unreachable" in refused.stderr
    as_json = kinlink(
        "on", "--facility=FAC-DEMO", "--resident=R-1001", "--phone=3125550100", "--json"
    )
    error = json.loads(as_json.stdout)["error"]
    assert (error["code"], error["field"]) == ("phone_number_unreachable", "phone_number")


def test_preview_shows_the_texts_cost_the_characters_at_fault_and_the_plain_text(
    kinlink: Any, stand_in: StandIn
) -> None:
    stand_in.answers["PreviewSms"] = pb.SmsPreview(
        encoding=pb.SMS_ENCODING_UCS2,
        segments=2,
        units=75,
        price_per_segment_cents=25,
        total_cents=50,
        forcing_characters=[
            pb.ForcingCharacter(character="\u2019", position=2, replacement="'"),
            pb.ForcingCharacter(character="\U0001f600", position=74),
        ],
        suggested_body="It's ...",
        suggested_segments=1,
        suggested_total_cents=25,
    )
    result = kinlink("preview", "--facility=FAC-DEMO", "--body=It\u2019s ...")
    assert result.stdout.splitlines() == [
        "2 texts (UCS-2, 75 units): $0.50 at $0.25 a text",
        "  '\u2019' at 2 makes it UCS-2: use \"'\"",
        "  '\U0001f600' at 74 makes it UCS-2: no plain replacement",
        "Plain: 1 text, $0.25: It's ...",
    ]
    assert stand_in.calls[-1][1] == pb.PreviewSmsRequest(
        facility_id="FAC-DEMO", body="It\u2019s ..."
    )


def test_history_shows_each_sms_with_its_expiry_and_the_next_page(
    kinlink: Any, stand_in: StandIn
) -> None:
    stand_in.answers["ListSmsHistory"] = pb.ListSmsHistoryResponse(
        entries=[
            pb.SmsHistoryEntry(
                sms_id="s-1",
                direction=pb.SMS_DIRECTION_FROM_PHONE,
                facility_id="FAC-DEMO",
                resident_id="R-1001",
                body="See you Sunday",
                segments=1,
                encoding=pb.SMS_ENCODING_GSM7,
                amount_cents=25,
                status=pb.SMS_STATUS_DELIVERED,
                received_at=at(NOON),
                expires_at=at(NOON + 336 * 3600),
            ),
            pb.SmsHistoryEntry(
                sms_id="s-2",
                direction=pb.SMS_DIRECTION_TO_PHONE,
                facility_id="FAC-DEMO",
                resident_id="R-1001",
                body="Kinlink: Ada Lovelace: a photo",
                segments=1,
                encoding=pb.SMS_ENCODING_GSM7,
                pictures=1,
                status=pb.SMS_STATUS_NOT_SENT,
                failure_reason="insufficient_credit",
                received_at=at(NOON),
                expires_at=at(NOON + 336 * 3600),
            ),
        ],
        next_page_token="p2",
    )
    result = kinlink("history", "--page-size=2")
    assert result.stdout.splitlines() == [
        "2026-12-07 12:00 CST  from phone R-1001 at FAC-DEMO  1 text GSM-7  $0.25  delivered"
        "  until 2026-12-21 12:00 CST",
        "  See you Sunday",
        "2026-12-07 12:00 CST  to phone R-1001 at FAC-DEMO  1 text GSM-7  $0.00"
        "  not sent: insufficient_credit  until 2026-12-21 12:00 CST  1 picture",
        "  Kinlink: Ada Lovelace: a photo",
        "More: add --page-token=p2",
    ]
    assert stand_in.calls[-1][1] == pb.ListSmsHistoryRequest(page_size=2)


def test_phone_status_says_an_opt_out_and_an_unreachable_number(
    kinlink: Any, stand_in: StandIn
) -> None:
    stand_in.answers["GetPhoneNumberStatus"] = pb.PhoneNumberStatus(
        phone_number="+13125550188",
        opted_out=True,
        opted_out_at=at(NOON),
        opt_out_keyword="UNSUBSCRIBE",
        unreachable=True,
        carrier_error_code=30006,
    )
    result = kinlink("phone-status", "+13125550188")
    assert result.stdout == (
        "+13125550188  opted out (UNSUBSCRIBE 2026-12-07 12:00 CST)  "
        "unreachable (carrier error 30006)\n"
    )
    stand_in.answers["GetPhoneNumberStatus"] = pb.PhoneNumberStatus(phone_number="+13125550100")
    assert kinlink("phone-status", "+13125550100").stdout == ("+13125550100  can receive SMS\n")
    stand_in.answers["GetPhoneNumberStatus"] = PermissionDenied("role_not_allowed", "operators")
    assert "error: role_not_allowed" in kinlink("phone-status", "+13125550100").stderr

"""The family's SMS pages against a stand-in SMS gateway: turning SMS on (the number, then the
code with the consent words, its expiry, the tries left and the resend's throttle), "setup
complete" with its two ways on, a change of number ending on My Account, turning off, the
history, every refusal of the gateway as a sentence, the preview of a message's cost as SMS on
the compose page (without script), and the offer to set SMS up after writing to a resident."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator

import pytest
from google.protobuf.timestamp_pb2 import Timestamp
from httpx import Response
from kinlink.identity.v1 import identity_pb2 as identity_pb
from kinlink.messaging.v1 import messaging_pb2 as messaging_pb
from kinlink.sms.v1 import sms_pb2 as pb
from kinlink_contracts.sms_consent import CURRENT_SMS_CONSENT_VERSION
from kinlink_contracts.sms_consent import SMS_CONSENT_WORDS
from kinlink_kit.errors import FailedPrecondition
from kinlink_kit.errors import InvalidArgument
from kinlink_kit.errors import NotFound
from kinlink_kit.errors import ResourceExhausted
from kinlink_portal.i18n import translations
from kinlink_portal.sentences import GENERIC
from kinlink_portal.sentences import SENTENCES
from kinlink_portal.sentences import sentence
from starlette.testclient import TestClient

from tests.portal_web import csrf_of
from tests.unit.portal.conftest import StandInIdentity
from tests.unit.portal.conftest import error_beside
from tests.unit.portal.conftest import internal_failure
from tests.unit.portal.conftest import refusal
from tests.unit.portal.family import NOW
from tests.unit.portal.family import family_portal
from tests.unit.portal.test_message_pages import ADA
from tests.unit.portal.test_message_pages import COMPOSE
from tests.unit.portal.test_message_pages import REVIEWED
from tests.unit.portal.test_message_pages import calls
from tests.unit.portal.test_message_pages import compose_form
from tests.unit.portal.test_message_pages import message

SETTINGS = "/sms/FAC-DEMO/R-1001"
# A phone's smart punctuation: it makes a whole text UCS-2.
CURLY = "\N{RIGHT SINGLE QUOTATION MARK}"
CONSENT = pb.SmsConsent(
    version="2026-12", text="Kinlink texts you the messages of this resident. Reply STOP to stop."
)
WITH_SMS = identity_pb.FacilitySettings(
    name="Demo County Jail", time_zone="America/Chicago", message_price_cents=50, sms_available=True
)
# Every stable code the SMS gateway refuses with (its proto and its design).
GATEWAY_CODES = (
    "phone_number_invalid",
    "phone_number_opted_out",
    "phone_number_unreachable",
    "no_prior_correspondence",
    "sms_unavailable",
    "verification_not_started",
    "verification_code_wrong",
    "verification_code_expired",
    "verification_attempts_exhausted",
    "verification_resend_too_soon",
    "sms_subscription_not_found",
    "sms_numbers_exhausted",
    "facility_not_found",
    "facility_out_of_scope",
    "body_missing",
    "insufficient_credit",
    "wallet_unavailable",
    "carrier_unavailable",
    "consent_version_unknown",
)


def verification(number: str = "+13125550188", **fields: object) -> pb.Verification:
    defaults: dict[str, object] = {
        "facility_id": "FAC-DEMO",
        "resident_id": "R-1001",
        "phone_number": number,
        "code_expires_at": Timestamp(seconds=NOW + 600),
        "resend_available_at": Timestamp(seconds=NOW + 60),
        "attempts_left": 5,
        "consent": CONSENT,
    }
    return pb.Verification(**{**defaults, **fields})


def subscription(status: int, **fields: object) -> pb.SmsSubscription:
    return pb.SmsSubscription(facility_id="FAC-DEMO", resident_id="R-1001", status=status, **fields)  # type: ignore[arg-type]


VERIFYING = subscription(pb.SMS_SUBSCRIPTION_STATUS_VERIFYING, pending_verification=verification())
ON = subscription(
    pb.SMS_SUBSCRIPTION_STATUS_ON, phone_number="+13125550100", kinlink_number="+13125559000"
)
NOT_SET_UP = refusal(NotFound("sms_subscription_not_found", "never set up"))


@pytest.fixture
def sms() -> StandInIdentity:
    return StandInIdentity()


@pytest.fixture
def messaging() -> StandInIdentity:
    return StandInIdentity()


@pytest.fixture
def family(
    identity: StandInIdentity, sms: StandInIdentity, messaging: StandInIdentity
) -> Iterator[TestClient]:
    """Ana logged in (her clock at NOW, in Chicago); Ada held at Demo County Jail, which
    offers SMS at $0.50 a text."""
    identity.answers["SearchResidents"] = identity_pb.SearchResidentsResponse(residents=[ADA])
    identity.answers["GetFacility"] = identity_pb.Facility(
        facility_id="FAC-DEMO", settings=WITH_SMS
    )
    identity.answers["GetAccount"] = identity_pb.Account(time_zone="America/Chicago")
    for client in family_portal(identity, StandInIdentity()):
        client.app.state.clock = lambda: NOW  # type: ignore[attr-defined]
        client.app.state.services.sms = sms  # type: ignore[attr-defined]
        client.app.state.services.messaging = messaging  # type: ignore[attr-defined]
        yield client


def post(client: TestClient, path: str, opened: str, **data: str) -> Response:
    token = csrf_of(client.get(opened).text)
    return client.post(path, data={**data, "csrf_token": token}, follow_redirects=False)


def test_every_refusal_of_the_gateway_is_a_sentence_in_english_and_spanish() -> None:
    spanish = translations("es")
    for code in GATEWAY_CODES:
        said = SENTENCES.get(code) or SENTENCES[f"sms_{code}"]
        assert said != GENERIC, code
        assert spanish.gettext(said) != said, f"{code} has no Spanish"


def test_turning_on_texts_a_code_to_the_number_typed(
    family: TestClient, sms: StandInIdentity
) -> None:
    sms.answers["GetSmsSubscription"] = NOT_SET_UP
    page = family.get(SETTINGS).text
    assert 'data-sms-state="off"' in page and "$0.50" in page
    assert f'href="{SETTINGS}/number"' in page
    number_page = family.get(f"{SETTINGS}/number").text
    shown = SMS_CONSENT_WORDS[CURRENT_SMS_CONSENT_VERSION]
    assert f"data-consent>{shown}</blockquote>" in html.unescape(number_page)
    assert number_page.index("data-consent") < number_page.index("Text me a code")
    sms.answers["StartVerification"] = verification()
    started = post(
        family, f"{SETTINGS}/number", f"{SETTINGS}/number", phone_number="(312) 555-0188"
    )
    assert started.status_code == 303
    assert started.headers["location"] == f"{SETTINGS}/code"
    (starting,) = calls(sms, "StartVerification")
    assert starting == pb.StartVerificationRequest(
        facility_id="FAC-DEMO",
        resident_id="R-1001",
        phone_number="(312) 555-0188",
        consent_version=CURRENT_SMS_CONSENT_VERSION,
    )


def test_the_code_page_shows_the_consent_words_expiry_tries_and_when_to_resend(
    family: TestClient, sms: StandInIdentity
) -> None:
    sms.answers["GetSmsSubscription"] = VERIFYING
    page = family.get(f"{SETTINGS}/code").text
    assert f'data-consent="2026-12">{CONSENT.text}</blockquote>' in page
    assert page.index("data-consent") < page.index('id="code"')  # read before agreeing
    expires = re.search(r"data-expires>([^<]+)<", page)
    assert expires and "2:10:00" in expires.group(1) and "Chicago" in expires.group(1)
    assert re.search(r"data-attempts>5<", page)
    resend = re.search(r"data-resend>([^<]+)<", page)
    assert resend and "from" in resend.group(1) and "2:01:00" in resend.group(1)
    assert 'autocomplete="one-time-code"' in page and 'inputmode="numeric"' in page


def test_the_right_code_completes_the_setup_with_compose_and_menu(
    family: TestClient, sms: StandInIdentity
) -> None:
    sms.answers["GetSmsSubscription"] = VERIFYING
    sms.answers["ConfirmVerification"] = ON
    confirmed = post(family, f"{SETTINGS}/code", f"{SETTINGS}/code", code="123 456")
    assert confirmed.headers["location"] == f"{SETTINGS}/done"
    assert calls(sms, "ConfirmVerification") == [
        pb.ConfirmVerificationRequest(facility_id="FAC-DEMO", resident_id="R-1001", code="123456")
    ]
    sms.answers["GetSmsSubscription"] = ON
    done = family.get(f"{SETTINGS}/done").text
    assert "<h1>Setup complete</h1>" in done
    assert f'<a class="button" href="{COMPOSE}">Compose Message</a>' in done
    assert 'href="/account">Return To Menu</a>' in done
    assert "+13125550100" in done and "+13125559000" in done


def test_a_change_of_number_keeps_the_old_one_and_ends_on_my_account(
    family: TestClient, sms: StandInIdentity, identity: StandInIdentity
) -> None:
    changing = subscription(
        pb.SMS_SUBSCRIPTION_STATUS_VERIFYING,
        phone_number="+13125550100",
        kinlink_number="+13125559000",
        pending_verification=verification("+13125550199"),
    )
    sms.answers["GetSmsSubscription"] = changing
    settings = family.get(SETTINGS).text
    assert 'data-sms-state="on"' in settings and "+13125550199" in settings
    sms.answers["GetSmsSubscription"] = ON
    number_page = family.get(f"{SETTINGS}/number").text
    assert "Change the number" in number_page and "+13125550100" in number_page

    sms.answers["GetSmsSubscription"] = changing
    sms.answers["ConfirmVerification"] = ON
    confirmed = post(family, f"{SETTINGS}/code", f"{SETTINGS}/code", code="654321")
    assert confirmed.headers["location"] == "/account?notice=sms_number_changed"
    identity.answers["GetAccount"] = identity_pb.Account(first_name="Ana", email_subscribed=True)
    assert "text messages go to it now" in family.get("/account?notice=sms_number_changed").text


@pytest.mark.parametrize(
    "error",
    [
        FailedPrecondition("verification_code_wrong", "4 attempts left", field="code"),
        FailedPrecondition("verification_code_expired", "expired"),
        FailedPrecondition("verification_attempts_exhausted", "start again"),
    ],
)
def test_a_refused_code_is_said_beside_it_with_the_tries_left_read_again(
    family: TestClient, sms: StandInIdentity, error: FailedPrecondition
) -> None:
    sms.answers["GetSmsSubscription"] = VERIFYING
    sms.answers["ConfirmVerification"] = refusal(error)
    token = csrf_of(family.get(f"{SETTINGS}/code").text)
    sms.answers["GetSmsSubscription"] = subscription(
        pb.SMS_SUBSCRIPTION_STATUS_VERIFYING, pending_verification=verification(attempts_left=4)
    )
    page = family.post(f"{SETTINGS}/code", data={"code": "000000", "csrf_token": token})
    assert page.status_code == 400
    assert error_beside(page.text, "code") == sentence(error.code)
    assert re.search(r"data-attempts>4<", page.text)


@pytest.mark.parametrize(
    ("error", "said"),
    [
        (
            InvalidArgument("phone_number_unreachable", "30006", field="phone_number"),
            "Try another mobile number.",
        ),
        (InvalidArgument("phone_number_invalid", "not a mobile", field="phone_number"), "US"),
        (FailedPrecondition("phone_number_opted_out", "STOP"), "START"),
        (FailedPrecondition("no_prior_correspondence", "none"), "Write to this resident first"),
        (FailedPrecondition("sms_unavailable", "no SMS"), "does not offer text messages"),
        (ResourceExhausted("verification_resend_too_soon", "wait"), "Wait until the time shown"),
        (FailedPrecondition("sms_numbers_exhausted", "pool"), "Contact support"),
    ],
)
def test_a_refused_number_is_said_beside_it(
    family: TestClient, sms: StandInIdentity, error: Exception, said: str
) -> None:
    sms.answers["GetSmsSubscription"] = NOT_SET_UP
    sms.answers["StartVerification"] = refusal(error)  # type: ignore[arg-type]
    token = csrf_of(family.get(f"{SETTINGS}/number").text)
    page = family.post(
        f"{SETTINGS}/number", data={"phone_number": "3125550188", "csrf_token": token}
    )
    assert page.status_code == 400
    assert said in error_beside(page.text, "phone_number")
    assert 'value="3125550188"' in page.text


def test_an_empty_number_is_named_without_asking_the_gateway(
    family: TestClient, sms: StandInIdentity
) -> None:
    sms.answers["GetSmsSubscription"] = NOT_SET_UP
    page = family.post(
        f"{SETTINGS}/number",
        data={"phone_number": " ", "csrf_token": csrf_of(family.get(f"{SETTINGS}/number").text)},
    )
    assert error_beside(page.text, "phone_number") == sentence("phone_number_missing")
    assert calls(sms, "StartVerification") == []


def test_a_resend_too_soon_is_said_and_a_resend_says_a_code_went(
    family: TestClient, sms: StandInIdentity
) -> None:
    sms.answers["GetSmsSubscription"] = VERIFYING
    sms.answers["ResendVerificationCode"] = refusal(
        ResourceExhausted("verification_resend_too_soon", "wait 40 s")
    )
    token = csrf_of(family.get(f"{SETTINGS}/code").text)
    page = family.post(f"{SETTINGS}/resend", data={"csrf_token": token})
    assert page.status_code == 400
    assert sentence("verification_resend_too_soon") in page.text
    sms.answers["ResendVerificationCode"] = verification(resend_available_at=Timestamp(seconds=NOW))
    resent = family.post(f"{SETTINGS}/resend", data={"csrf_token": token}, follow_redirects=False)
    assert resent.headers["location"] == f"{SETTINGS}/code?notice=code_sent"
    assert "We texted you a new code." in family.get(resent.headers["location"]).text


def test_turning_off_asks_the_gateway_and_says_so(family: TestClient, sms: StandInIdentity) -> None:
    sms.answers["GetSmsSubscription"] = ON
    sms.answers["DisableSms"] = subscription(pb.SMS_SUBSCRIPTION_STATUS_OFF)
    off = post(family, f"{SETTINGS}/off", SETTINGS)
    assert off.headers["location"] == f"{SETTINGS}?notice=turned_off"
    assert calls(sms, "DisableSms") == [
        pb.DisableSmsRequest(facility_id="FAC-DEMO", resident_id="R-1001")
    ]


def test_a_number_the_carrier_cannot_reach_is_said_with_the_advice_to_try_another(
    family: TestClient, sms: StandInIdentity
) -> None:
    sms.answers["GetSmsSubscription"] = subscription(
        pb.SMS_SUBSCRIPTION_STATUS_OFF,
        phone_number="+13125550100",
        off_reason=pb.SMS_OFF_REASON_NUMBER_UNREACHABLE,
    )
    page = family.get(SETTINGS).text
    assert 'data-sms-state="off"' in page and "Try another mobile number." in page


def test_a_post_without_the_csrf_token_is_refused(family: TestClient, sms: StandInIdentity) -> None:
    refused = family.post(f"{SETTINGS}/off", data={})
    assert refused.status_code == 403
    assert calls(sms, "DisableSms") == []


def test_the_overview_lists_residents_with_settings_or_written_to(
    family: TestClient, sms: StandInIdentity, messaging: StandInIdentity
) -> None:
    sms.answers["ListSmsSubscriptions"] = pb.ListSmsSubscriptionsResponse(subscriptions=[ON])
    messaging.answers["ListSent"] = messaging_pb.ListMessagesResponse(
        messages=[message("m-1"), message("m-2", resident_id="R-1002")]
    )
    page = family.get("/sms").text
    assert re.findall(r'data-resident="([^"]+)"', page) == ["R-1001", "R-1002"]
    assert "On: texts go to +13125550100" in page
    assert 'href="/sms/FAC-DEMO/R-1002"' in page


def test_the_history_says_each_texts_way_length_cost_status_and_expiry(
    family: TestClient, sms: StandInIdentity
) -> None:
    received = Timestamp(seconds=NOW - 3600)
    entries = [
        pb.SmsHistoryEntry(
            sms_id="s-1",
            direction=pb.SMS_DIRECTION_TO_PHONE,
            facility_id="FAC-DEMO",
            resident_id="R-1001",
            body="Kinlink: Ada Lovelace: Hello",
            segments=1,
            encoding=pb.SMS_ENCODING_GSM7,
            amount_cents=50,
            status=pb.SMS_STATUS_DELIVERED,
            received_at=received,
            expires_at=Timestamp(seconds=received.seconds + 336 * 3600),
        ),
        pb.SmsHistoryEntry(
            sms_id="s-2",
            direction=pb.SMS_DIRECTION_TO_PHONE,
            facility_id="FAC-DEMO",
            resident_id="R-1001",
            body=f"Kinlink: Ada Lovelace: It{CURLY}s me",
            segments=2,
            encoding=pb.SMS_ENCODING_UCS2,
            status=pb.SMS_STATUS_NOT_SENT,
            failure_reason="insufficient_credit",
            received_at=received,
            expires_at=Timestamp(seconds=received.seconds + 336 * 3600),
        ),
    ]
    sms.answers["ListSmsHistory"] = pb.ListSmsHistoryResponse(entries=entries, next_page_token="n")
    page = family.get("/sms/history").text
    rows = re.findall(r'<tr data-sms="(s-\d)">(.*?)</tr>', page, re.S)
    assert [sms_id for sms_id, _ in rows] == ["s-1", "s-2"]
    first, second = (re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row)) for _, row in rows)
    assert "From Ada Lovelace (R-1001) to your phone" in first
    assert "1 text" in first and "$0.50" in first and "Delivered" in first
    assert "2 texts (Unicode)" in second and "$0.00" in second
    assert "Not sent: Your messaging balance was too low" in second
    # Received and readable until, in Ana's zone: 14 days apart.
    assert "Jan 15, 2027, 1:00:00" in first and "Jan 29, 2027, 1:00:00" in first
    assert 'href="?page=n"' in page


def test_the_compose_page_previews_the_cost_as_sms_without_sending(
    family: TestClient, sms: StandInIdentity, messaging: StandInIdentity
) -> None:
    assert 'value="preview_sms"' in family.get(COMPOSE).text
    sms.answers["PreviewSms"] = pb.SmsPreview(
        encoding=pb.SMS_ENCODING_UCS2,
        segments=2,
        units=80,
        price_per_segment_cents=50,
        total_cents=100,
        forcing_characters=[
            pb.ForcingCharacter(character=CURLY, position=2, replacement="'"),
            pb.ForcingCharacter(character="😀", position=70),
        ],
        suggested_body="It's ...",
        suggested_segments=1,
        suggested_total_cents=50,
    )
    body = f"It{CURLY}s" + "x" * 66 + "😀"
    posted = {**compose_form(family), "body": body, "action": "preview_sms"}
    page = family.post(COMPOSE, data=posted)
    assert page.status_code == 200
    assert calls(sms, "PreviewSms") == [pb.PreviewSmsRequest(facility_id="FAC-DEMO", body=body)]
    assert calls(messaging, "SendMessage") == []
    assert re.search(r"data-segments>2 texts<", page.text)
    assert "$1.00 ($0.50 per text)" in page.text and "Unicode" in page.text
    forcing = re.findall(r"<li>([^<]+)</li>", html.unescape(page.text.split("data-forcing")[1]))
    assert forcing[0] == f"“{CURLY}” at character 3: write “'” instead"
    assert forcing[1] == "“😀” at character 71: it has no plain replacement"
    assert "takes 1 text, for $0.50" in page.text
    assert f">{body}</textarea>" in page.text  # the message stays as written
    assert f'value="{posted["client_key"]}"' in page.text


def test_the_plain_text_replaces_the_message_and_is_previewed_again(
    family: TestClient, sms: StandInIdentity
) -> None:
    sms.answers["PreviewSms"] = pb.SmsPreview(
        encoding=pb.SMS_ENCODING_GSM7, segments=1, suggested_body="It's me"
    )
    posted = {**compose_form(family), "body": f"It{CURLY}s me", "action": "use_plain_text"}
    page = family.post(COMPOSE, data=posted)
    assert ">It's me</textarea>" in page.text.replace("&#39;", "'")
    assert [request.body for request in calls(sms, "PreviewSms")] == [  # type: ignore[attr-defined]
        f"It{CURLY}s me",
        "It's me",
    ]


def test_a_refused_preview_is_said_beside_the_message(
    family: TestClient, sms: StandInIdentity
) -> None:
    sms.answers["PreviewSms"] = refusal(InvalidArgument("body_missing", "empty", field="body"))
    page = family.post(COMPOSE, data={**compose_form(family), "action": "preview_sms"})
    assert page.status_code == 400
    assert sentence("body_missing") in page.text


def test_without_sms_at_the_facility_there_is_no_preview_and_no_offer(
    family: TestClient, identity: StandInIdentity, sms: StandInIdentity, messaging: StandInIdentity
) -> None:
    identity.answers["GetFacility"] = identity_pb.Facility(
        facility_id="FAC-DEMO", settings=REVIEWED
    )
    assert 'value="preview_sms"' not in family.get(COMPOSE).text
    messaging.answers["SendMessage"] = message()
    sent = family.post(
        COMPOSE,
        data={**compose_form(family), "body": "Hi", "action": "send"},
        follow_redirects=False,
    )
    assert sent.headers["location"] == "/messages/sent?notice=sent"
    assert sms.calls == []


@pytest.mark.parametrize(
    ("answer", "offered"),
    [
        (NOT_SET_UP, True),
        (subscription(pb.SMS_SUBSCRIPTION_STATUS_OFF, phone_number="+13125550100"), True),
        (ON, False),
        (internal_failure(), False),  # the message is sent: the page does not fail for it
    ],
)
def test_after_writing_to_a_resident_without_sms_the_sent_folder_offers_it(
    family: TestClient,
    sms: StandInIdentity,
    messaging: StandInIdentity,
    answer: object,
    offered: bool,
) -> None:
    messaging.answers["SendMessage"] = message()
    sms.answers["GetSmsSubscription"] = answer
    sent = family.post(
        COMPOSE,
        data={**compose_form(family), "body": "Hi", "action": "send"},
        follow_redirects=False,
    )
    location = sent.headers["location"]
    offer = "/messages/sent?notice=sent&sms_facility=FAC-DEMO&sms_resident=R-1001"
    assert location == (offer if offered else "/messages/sent?notice=sent")
    messaging.answers["ListSent"] = messaging_pb.ListMessagesResponse(messages=[message()])
    folder = family.get(location).text
    assert "Your message is sent." in folder
    assert (f'<a href="{SETTINGS}">Set up text messages (SMS)</a>' in folder) == offered


def test_a_code_the_carrier_could_not_deliver_sends_back_to_the_number_with_advice(
    family: TestClient, sms: StandInIdentity
) -> None:
    sms.answers["GetSmsSubscription"] = subscription(
        pb.SMS_SUBSCRIPTION_STATUS_OFF,
        off_reason=pb.SMS_OFF_REASON_NUMBER_UNREACHABLE,
        pending_verification=verification(),
    )
    page = family.get(f"{SETTINGS}/code")
    assert page.status_code == 400
    assert "Try another mobile number." in error_beside(page.text, "phone_number")
    assert 'value="+13125550188"' in page.text and 'id="code"' not in page.text


def test_a_change_of_number_whose_code_could_not_be_delivered_is_said_on_confirming(
    family: TestClient, sms: StandInIdentity
) -> None:
    sms.answers["GetSmsSubscription"] = subscription(
        pb.SMS_SUBSCRIPTION_STATUS_ON,
        phone_number="+13125550100",
        pending_verification=verification("+13125550199"),
    )
    sms.answers["ConfirmVerification"] = refusal(
        FailedPrecondition("phone_number_unreachable", "the carrier could not deliver the code")
    )
    token = csrf_of(family.get(f"{SETTINGS}/code").text)
    page = family.post(f"{SETTINGS}/code", data={"code": "123456", "csrf_token": token})
    assert page.status_code == 400
    assert "Try another mobile number." in error_beside(page.text, "phone_number")
    assert 'value="+13125550199"' in page.text

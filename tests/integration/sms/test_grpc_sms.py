"""The SMS gateway's API as a client calls it, on SQLite and on the real PostgreSQL: turning
SMS on with a code, reading and turning it off, previewing a text's cost, an operator looking a
number up; each refusal with its status, stable reason and the request field at fault."""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID
from uuid import uuid4

import grpc
import pytest
from kinlink.sms.v1 import sms_pb2 as pb
from kinlink.sms.v1 import sms_pb2_grpc
from kinlink_contracts.sms_consent import CURRENT_SMS_CONSENT_VERSION
from kinlink_contracts.sms_consent import SMS_CONSENT_WORDS
from kinlink_kit.auth import Role
from kinlink_kit.grpc_helpers import timestamp
from kinlink_kit.testing import Clock
from kinlink_kit.testing import refused_over_grpc
from kinlink_sms.domain.keywords import keyword_in
from kinlink_sms.service_layer.gateway import SmsGateway
from kinlink_sms.service_layer.handle_keyword import handle_keyword

from tests.conftest import TokenKeys
from tests.conftest import bearer
from tests.integration.sms.conftest import PHONE
from tests.sms_doubles import KINLINK_NUMBERS
from tests.sms_doubles import NO_SMS_FACILITY
from tests.sms_doubles import RESIDENT
from tests.sms_doubles import SMS_FACILITY
from tests.sms_doubles import SmsOutside

Stub = sms_pb2_grpc.SmsGatewayServiceStub
INVALID = grpc.StatusCode.INVALID_ARGUMENT
PRECONDITION = grpc.StatusCode.FAILED_PRECONDITION
SMART_APOSTROPHE = "\u2019"  # what a phone's smart punctuation types for '


def starting(phone: str = "(312) 555-0123", **changes: str) -> pb.StartVerificationRequest:
    request = pb.StartVerificationRequest(
        facility_id=SMS_FACILITY,
        resident_id=RESIDENT,
        phone_number=phone,
        consent_version=CURRENT_SMS_CONSENT_VERSION,
    )
    for name, value in changes.items():
        setattr(request, name, value)
    return request


def confirming(code: str) -> pb.ConfirmVerificationRequest:
    return pb.ConfirmVerificationRequest(facility_id=SMS_FACILITY, resident_id=RESIDENT, code=code)


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


async def test_sms_is_turned_on_with_the_code_read_listed_and_turned_off(
    sms_stub: Stub, outside: SmsOutside, family: UUID, token_keys: TokenKeys, clock: Clock
) -> None:
    me = token_keys.family(str(family))
    verification = await sms_stub.StartVerification(starting(), metadata=me)

    assert (verification.phone_number, verification.attempts_left) == (PHONE, 5)
    assert verification.code_expires_at == timestamp(clock() + timedelta(minutes=10))
    assert verification.resend_available_at == timestamp(clock() + timedelta(seconds=60))
    assert verification.consent == pb.SmsConsent(
        version=CURRENT_SMS_CONSENT_VERSION, text=SMS_CONSENT_WORDS[CURRENT_SMS_CONSENT_VERSION]
    )
    verifying = await sms_stub.GetSmsSubscription(
        pb.GetSmsSubscriptionRequest(facility_id=SMS_FACILITY, resident_id=RESIDENT), metadata=me
    )
    assert verifying.status == pb.SMS_SUBSCRIPTION_STATUS_VERIFYING
    assert verifying.pending_verification == verification

    on = await sms_stub.ConfirmVerification(
        confirming(outside.carrier.code_sent_to(PHONE)), metadata=me
    )

    assert on == pb.SmsSubscription(
        facility_id=SMS_FACILITY,
        resident_id=RESIDENT,
        status=pb.SMS_SUBSCRIPTION_STATUS_ON,
        phone_number=PHONE,
        kinlink_number=KINLINK_NUMBERS[0],
        consented_at=timestamp(clock()),
        consent_version=CURRENT_SMS_CONSENT_VERSION,
    )
    listed = await sms_stub.ListSmsSubscriptions(pb.ListSmsSubscriptionsRequest(), metadata=me)
    assert list(listed.subscriptions) == [on]
    off = await sms_stub.DisableSms(
        pb.DisableSmsRequest(facility_id=SMS_FACILITY, resident_id=RESIDENT), metadata=me
    )
    assert (off.status, off.off_reason) == (
        pb.SMS_SUBSCRIPTION_STATUS_OFF,
        pb.SMS_OFF_REASON_DISABLED,
    )


@pytest.mark.parametrize(
    ("request_", "status", "reason", "field"),
    [
        (starting("555-123-4567"), INVALID, "phone_number_invalid", "phone_number"),
        (
            starting(consent_version="1999-01"),
            INVALID,
            "consent_version_unknown",
            "consent_version",
        ),
        (starting(facility_id=NO_SMS_FACILITY), PRECONDITION, "sms_unavailable", "facility_id"),
        (
            starting(facility_id="FAC-NOWHERE"),
            grpc.StatusCode.NOT_FOUND,
            "facility_not_found",
            "facility_id",
        ),
        (
            starting(resident_id="R-STRANGER"),
            PRECONDITION,
            "no_prior_correspondence",
            "resident_id",
        ),
    ],
)
async def test_a_verification_that_cannot_start_says_which_field_is_at_fault(
    sms_stub: Stub,
    family: UUID,
    token_keys: TokenKeys,
    request_: pb.StartVerificationRequest,
    status: grpc.StatusCode,
    reason: str,
    field: str,
) -> None:
    await refused_over_grpc(
        sms_stub.StartVerification(request_, metadata=token_keys.family(str(family))),
        status,
        reason,
        field,
    )


async def test_codes_refused_say_why_and_the_number_opted_out_is_named(
    sms_stub: Stub, gateway: SmsGateway, outside: SmsOutside, family: UUID, token_keys: TokenKeys
) -> None:
    me = token_keys.family(str(family))
    await refused_over_grpc(
        sms_stub.ConfirmVerification(confirming("123456"), metadata=me),
        PRECONDITION,
        "verification_not_started",
    )
    await sms_stub.StartVerification(starting(), metadata=me)
    refusal = await refused_over_grpc(
        sms_stub.ConfirmVerification(
            confirming(wrong(outside.carrier.code_sent_to(PHONE))), metadata=me
        ),
        PRECONDITION,
        "verification_code_wrong",
        "code",
    )
    assert "4 attempt(s) left" in refusal.message
    await refused_over_grpc(
        sms_stub.ResendVerificationCode(
            pb.ResendVerificationCodeRequest(facility_id=SMS_FACILITY, resident_id=RESIDENT),
            metadata=me,
        ),
        grpc.StatusCode.RESOURCE_EXHAUSTED,
        "verification_resend_too_soon",
    )
    received = keyword_in("STOP")
    assert received is not None
    handle_keyword(gateway, PHONE, KINLINK_NUMBERS[0], received)
    await refused_over_grpc(
        sms_stub.ConfirmVerification(confirming(outside.carrier.code_sent_to(PHONE)), metadata=me),
        PRECONDITION,
        "phone_number_opted_out",
    )
    await refused_over_grpc(
        sms_stub.StartVerification(starting(), metadata=me),
        PRECONDITION,
        "phone_number_opted_out",
        "phone_number",
    )


async def test_a_family_member_sees_only_their_own_settings(
    sms_stub: Stub, family: UUID, token_keys: TokenKeys
) -> None:
    await sms_stub.StartVerification(starting(), metadata=token_keys.family(str(family)))
    stranger = token_keys.family(str(uuid4()))
    await refused_over_grpc(
        sms_stub.GetSmsSubscription(
            pb.GetSmsSubscriptionRequest(facility_id=SMS_FACILITY, resident_id=RESIDENT),
            metadata=stranger,
        ),
        grpc.StatusCode.NOT_FOUND,
        "sms_subscription_not_found",
        "resident_id",
    )
    listed = await sms_stub.ListSmsSubscriptions(
        pb.ListSmsSubscriptionsRequest(), metadata=stranger
    )
    assert list(listed.subscriptions) == []


async def test_a_preview_shows_what_forced_ucs2_and_the_plain_text_that_costs_less(
    sms_stub: Stub, family: UUID, token_keys: TokenKeys
) -> None:
    body = f"It{SMART_APOSTROPHE}s " + "a" * 70  # UCS-2, 75 characters, two segments
    preview = await sms_stub.PreviewSms(
        pb.PreviewSmsRequest(facility_id=SMS_FACILITY, body=body),
        metadata=token_keys.family(str(family)),
    )
    assert (preview.encoding, preview.segments, preview.units) == (pb.SMS_ENCODING_UCS2, 2, 75)
    assert (preview.price_per_segment_cents, preview.total_cents) == (5, 10)
    assert list(preview.forcing_characters) == [
        pb.ForcingCharacter(character=SMART_APOSTROPHE, position=2, replacement="'")
    ]
    assert preview.suggested_body == "It's " + "a" * 70
    assert (preview.suggested_segments, preview.suggested_total_cents) == (1, 5)


@pytest.mark.parametrize(
    ("facility_id", "body", "status", "reason", "field"),
    [
        (SMS_FACILITY, "", INVALID, "body_missing", "body"),
        (NO_SMS_FACILITY, "Hello", PRECONDITION, "sms_unavailable", "facility_id"),
    ],
)
async def test_a_preview_refused_names_its_field(
    sms_stub: Stub,
    token_keys: TokenKeys,
    family: UUID,
    facility_id: str,
    body: str,
    status: grpc.StatusCode,
    reason: str,
    field: str,
) -> None:
    await refused_over_grpc(
        sms_stub.PreviewSms(
            pb.PreviewSmsRequest(facility_id=facility_id, body=body),
            metadata=token_keys.family(str(family)),
        ),
        status,
        reason,
        field,
    )


@pytest.mark.parametrize("role", [Role.OPERATOR, Role.AUDITOR])
async def test_operators_and_auditors_look_a_number_up_and_family_members_may_not(
    sms_stub: Stub, gateway: SmsGateway, token_keys: TokenKeys, clock: Clock, role: Role
) -> None:
    staff = bearer(token_keys.token(str(uuid4()), role))
    received = keyword_in("Cancel")
    assert received is not None
    handle_keyword(gateway, PHONE, KINLINK_NUMBERS[0], received)

    status = await sms_stub.GetPhoneNumberStatus(
        pb.GetPhoneNumberStatusRequest(phone_number="312 555 0123"), metadata=staff
    )

    assert status == pb.PhoneNumberStatus(
        phone_number=PHONE,
        opted_out=True,
        opted_out_at=timestamp(clock()),
        opt_out_keyword="CANCEL",
    )
    await refused_over_grpc(
        sms_stub.GetPhoneNumberStatus(
            pb.GetPhoneNumberStatusRequest(phone_number="nope"), metadata=staff
        ),
        INVALID,
        "phone_number_invalid",
        "phone_number",
    )
    with pytest.raises(grpc.aio.AioRpcError) as denied:
        await sms_stub.GetPhoneNumberStatus(
            pb.GetPhoneNumberStatusRequest(phone_number=PHONE),
            metadata=token_keys.family(str(uuid4())),
        )
    assert denied.value.code() is grpc.StatusCode.PERMISSION_DENIED

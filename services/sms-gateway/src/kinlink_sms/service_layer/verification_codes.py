"""Sending a verification code through the carrier, from the conversation's Kinlink number,
with the reference status callbacks name it by (`code:<subscription id>`)."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from kinlink_sms.domain.phone import PhoneNumberInvalid
from kinlink_sms.domain.phone_number import OPTED_OUT_ERROR_CODE
from kinlink_sms.domain.phone_number import UNREACHABLE_ERROR_CODES
from kinlink_sms.domain.phone_number import PhoneNumber
from kinlink_sms.domain.phone_number import PhoneNumberOptedOut
from kinlink_sms.domain.phone_number import PhoneNumberUnreachable
from kinlink_sms.domain.ports import CarrierRefused
from kinlink_sms.domain.ports import CarrierUnavailable
from kinlink_sms.domain.ports import OutgoingSms
from kinlink_sms.domain.subscription import SmsSubscription
from kinlink_sms.domain.verification import CODE_LIFETIME
from kinlink_sms.domain.verification import IssuedCode
from kinlink_sms.domain.verification import Verification
from kinlink_sms.domain.verification import VerificationNotStarted
from kinlink_sms.service_layer.gateway import SmsGateway

CODE_REFERENCE_PREFIX = "code:"
# The keyword recorded when the carrier, not an SMS to Kinlink, says the number opted out.
CARRIER_OPT_OUT = "CARRIER"
# Twilio's code for a 'To' that is not a phone number.
_NOT_A_NUMBER_ERROR_CODE = 21211


def code_reference(subscription_id: UUID, code_salt: str) -> str:
    """What the code SMS's status reports name: the subscription and, by its random salt (which
    reveals nothing of the code without its digest), the code."""
    return f"{CODE_REFERENCE_PREFIX}{subscription_id}:{code_salt}"


def code_text(code: str) -> str:
    minutes = int(CODE_LIFETIME.total_seconds() // 60)
    return f"Kinlink: your code is {code}. It expires in {minutes} minutes."


def send_code(
    gateway: SmsGateway, subscription_id: UUID, verification: Verification, code: IssuedCode
) -> None:
    """Hands the code to the carrier. When it takes none, the verification is withdrawn (a new
    start is not throttled) and the caller told why: the number opted out or cannot be
    reached (both recorded on the number), is no number, or the carrier is unavailable."""
    sms = OutgoingSms(
        reference=code_reference(subscription_id, verification.code_salt),
        to=verification.phone_number,
        from_=verification.kinlink_number,
        body=code_text(code.code),
    )
    try:
        receipt = gateway.carrier.send(sms)
    except CarrierUnavailable:
        _withdraw(gateway, subscription_id, verification)
        raise
    except CarrierRefused as refused:
        _withdraw(gateway, subscription_id, verification, refused.carrier_error_code)
        raise _refusal(refused) from None
    _record_sent(gateway, subscription_id, verification, receipt.sid)


def _record_sent(
    gateway: SmsGateway, subscription_id: UUID, verification: Verification, sid: str
) -> None:
    """The code's SMS id, by which its status reports find it."""

    def recording(subscription: SmsSubscription) -> None:
        subscription.code_sent(verification.code_digest, sid)

    gateway.change(subscription_id, SmsSubscription, recording, missing=VerificationNotStarted)


def record_carrier_error(phone: PhoneNumber, carrier_error_code: int, at: datetime) -> None:
    """What a carrier's refusal says of the number: it opted out (with the carrier, before
    Kinlink heard its STOP), or it cannot be reached."""
    if carrier_error_code == OPTED_OUT_ERROR_CODE:
        phone.opt_out(CARRIER_OPT_OUT, at)
    elif carrier_error_code in UNREACHABLE_ERROR_CODES:
        phone.mark_unreachable(carrier_error_code, at)


def _refusal(refused: CarrierRefused) -> Exception:
    if refused.carrier_error_code == OPTED_OUT_ERROR_CODE:
        return PhoneNumberOptedOut()
    if refused.carrier_error_code in UNREACHABLE_ERROR_CODES:
        return PhoneNumberUnreachable()
    if refused.carrier_error_code == _NOT_A_NUMBER_ERROR_CODE:
        return PhoneNumberInvalid()
    return refused


def _withdraw(
    gateway: SmsGateway,
    subscription_id: UUID,
    verification: Verification,
    carrier_error_code: int | None = None,
) -> None:
    phone_number = verification.phone_number
    now = gateway.clock()

    def attempt() -> None:
        subscription = gateway.find(subscription_id, SmsSubscription)
        assert subscription is not None  # saved before its code was sent
        subscription.code_not_sent(verification.code_digest)
        changed: list[PhoneNumber] = []
        if carrier_error_code is not None:
            phone = gateway.find(PhoneNumber.create_id(phone_number), PhoneNumber)
            phone = phone or PhoneNumber(phone_number)
            record_carrier_error(phone, carrier_error_code, now)
            changed.append(phone)
        gateway.store.save(subscription, *changed)

    gateway.retrying(attempt)

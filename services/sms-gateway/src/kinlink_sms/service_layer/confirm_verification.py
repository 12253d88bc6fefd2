"""ConfirmVerification: the family member enters the code they received. Right, SMS are on
for that resident at that number, with their consent recorded; wrong, an attempt is used."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from kinlink_contracts.ids import canonical_id

from kinlink_sms.domain.phone_number import PhoneNumber
from kinlink_sms.domain.subscription import SmsSubscription
from kinlink_sms.domain.verification import VerificationAttemptsExhausted
from kinlink_sms.domain.verification import VerificationCodeWrong
from kinlink_sms.domain.verification import VerificationNotStarted
from kinlink_sms.service_layer.gateway import SmsGateway


@dataclass(frozen=True)
class _Confirmation:
    subscription: SmsSubscription
    phone: PhoneNumber | None  # the number verified; None for a wrong code
    attempts_left: int


def confirm_verification(
    gateway: SmsGateway, account_id: UUID, facility_id: str, resident_id: str, code: str
) -> SmsSubscription:
    now = gateway.clock()

    def confirming(subscription: SmsSubscription) -> _Confirmation:
        pending = subscription.pending
        if pending is None:
            raise VerificationNotStarted()
        phone = gateway.find(PhoneNumber.create_id(pending.phone_number), PhoneNumber)
        if phone is not None:
            phone.check_not_opted_out()  # STOP came after the code
        if not subscription.confirm(code, now):
            attempts_left = subscription.pending.attempts_left if subscription.pending else 0
            return _Confirmation(subscription, None, attempts_left)
        phone = phone or PhoneNumber(pending.phone_number)
        phone.verified(now)
        return _Confirmation(subscription, phone, 0)

    confirmation = gateway.change(
        SmsSubscription.create_id(account_id, canonical_id(facility_id), canonical_id(resident_id)),
        SmsSubscription,
        confirming,
        missing=VerificationNotStarted,
        also_saving=lambda done: [done.phone] if done.phone is not None else [],
    )
    if confirmation.phone is None:  # the attempt is saved: now say it was wrong
        if confirmation.attempts_left == 0:
            raise VerificationAttemptsExhausted()
        raise VerificationCodeWrong(confirmation.attempts_left)
    return confirmation.subscription

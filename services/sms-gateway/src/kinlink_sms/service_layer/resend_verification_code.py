"""ResendVerificationCode: a new code for the number being verified (the old one stops
working), at most once a minute."""

from __future__ import annotations

from uuid import UUID

from kinlink_contracts.ids import canonical_id

from kinlink_sms.domain.subscription import SmsSubscription
from kinlink_sms.domain.verification import IssuedCode
from kinlink_sms.domain.verification import VerificationNotStarted
from kinlink_sms.service_layer.gateway import SmsGateway
from kinlink_sms.service_layer.verification_codes import send_code


def resend_verification_code(
    gateway: SmsGateway, account_id: UUID, facility_id: str, resident_id: str
) -> SmsSubscription:
    code = IssuedCode.new()
    now = gateway.clock()

    def resending(subscription: SmsSubscription) -> SmsSubscription:
        subscription.resend_code(code, now)
        return subscription

    subscription = gateway.change(
        SmsSubscription.create_id(account_id, canonical_id(facility_id), canonical_id(resident_id)),
        SmsSubscription,
        resending,
        missing=VerificationNotStarted,
    )
    assert subscription.pending is not None
    send_code(gateway, subscription.id, subscription.pending, code)
    return subscription

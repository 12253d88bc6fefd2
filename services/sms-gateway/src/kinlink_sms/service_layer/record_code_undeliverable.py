"""A verification code's SMS the carrier could not deliver (the status path calls this for a
`code:<subscription id>` reference failing with an unreachable code): the number is marked
unreachable, and the family member is told to try another number."""

from __future__ import annotations

from uuid import UUID

from kinlink_sms.domain.phone_number import PhoneNumber
from kinlink_sms.domain.subscription import SmsSubscription
from kinlink_sms.service_layer.gateway import SmsGateway
from kinlink_sms.service_layer.verification_codes import record_carrier_error


def record_code_undeliverable(
    gateway: SmsGateway, subscription_id: UUID, phone_number: str, carrier_error_code: int
) -> None:
    now = gateway.clock()

    def attempt() -> None:
        phone = gateway.find(PhoneNumber.create_id(phone_number), PhoneNumber)
        phone = phone or PhoneNumber(phone_number)
        record_carrier_error(phone, carrier_error_code, now)
        subscription = gateway.find(subscription_id, SmsSubscription)
        if subscription is None:  # not ours: the number is still worth knowing about
            gateway.store.save(phone)
            return
        subscription.code_undeliverable(phone_number, carrier_error_code)
        gateway.store.save(phone, subscription)

    gateway.retrying(attempt)

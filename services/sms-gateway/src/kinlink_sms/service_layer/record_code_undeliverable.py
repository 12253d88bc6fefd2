"""What the carrier reports of a verification code's SMS (reference `code:<subscription id>`):
one that could not reach its number marks the number (unreachable, or opted out with the
carrier) and tells the family member to try another; any other report changes nothing."""

from __future__ import annotations

from uuid import UUID

from kinlink_sms.domain.phone_number import PhoneNumber
from kinlink_sms.domain.ports import CarrierStatus
from kinlink_sms.domain.ports import StatusReport
from kinlink_sms.domain.subscription import SmsSubscription
from kinlink_sms.service_layer.gateway import SmsGateway
from kinlink_sms.service_layer.verification_codes import CODE_REFERENCE_PREFIX
from kinlink_sms.service_layer.verification_codes import record_carrier_error

_NOT_DELIVERED = frozenset({CarrierStatus.FAILED, CarrierStatus.UNDELIVERED})


def is_code_reference(reference: str) -> bool:
    """Whether a status report is about a verification code (else about an SMS)."""
    return reference.startswith(CODE_REFERENCE_PREFIX)


def record_code_status(gateway: SmsGateway, reference: str, report: StatusReport) -> None:
    """The status path's entry for a `code:` reference; a reference naming no subscription is
    a report about nothing of ours and ignored."""
    subscription, _, code_salt = reference.removeprefix(CODE_REFERENCE_PREFIX).partition(":")
    try:
        subscription_id = UUID(subscription)
    except ValueError:
        return
    if report.status in _NOT_DELIVERED and report.error_code is not None:
        record_code_undeliverable(gateway, subscription_id, code_salt, report.error_code)


def record_code_undeliverable(
    gateway: SmsGateway, subscription_id: UUID, code_salt: str, carrier_error_code: int
) -> None:
    now = gateway.clock()

    def attempt() -> None:
        subscription = gateway.find(subscription_id, SmsSubscription)
        if subscription is None:
            return
        phone_number = subscription.code_undeliverable(code_salt, carrier_error_code)
        if phone_number is None:  # an older code's report: its number is not being verified
            return
        phone = gateway.find(PhoneNumber.create_id(phone_number), PhoneNumber)
        phone = phone or PhoneNumber(phone_number)
        record_carrier_error(phone, carrier_error_code, now)
        gateway.store.save(subscription, phone)

    gateway.retrying(attempt)

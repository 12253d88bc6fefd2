"""GetPhoneNumberStatus: whether a number opted out or was reported unreachable, for
operators answering a family member."""

from __future__ import annotations

from kinlink_sms.domain.phone import parse_phone_number
from kinlink_sms.domain.phone_number import PhoneNumber
from kinlink_sms.service_layer.gateway import SmsGateway


def get_phone_number_status(gateway: SmsGateway, typed: str) -> PhoneNumber:
    """The number as the gateway knows it; one it never heard of, new and unsaved."""
    phone_number = parse_phone_number(typed)
    found = gateway.find(PhoneNumber.create_id(phone_number), PhoneNumber, to_change=False)
    return found or PhoneNumber(phone_number)

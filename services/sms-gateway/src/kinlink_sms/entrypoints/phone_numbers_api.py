"""GetPhoneNumberStatus: operators look up whether a number opted out or is unreachable."""

from __future__ import annotations

from kinlink_kit.auth import AccessPolicy
from kinlink_kit.auth import Role

from kinlink_sms.entrypoints.messages import method
from kinlink_sms.service_layer.gateway import SmsGateway

PHONE_NUMBERS_POLICY: AccessPolicy = {
    method("GetPhoneNumberStatus"): frozenset({Role.OPERATOR, Role.AUDITOR}),
}


class PhoneNumbersApi:
    gateway: SmsGateway

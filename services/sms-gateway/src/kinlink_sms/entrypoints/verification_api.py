"""StartVerification, ResendVerificationCode and ConfirmVerification: a family member turns
SMS on for a resident on a number they prove is theirs."""

from __future__ import annotations

from kinlink_kit.auth import AccessPolicy

from kinlink_sms.entrypoints.messages import FAMILY
from kinlink_sms.entrypoints.messages import method
from kinlink_sms.service_layer.gateway import SmsGateway

VERIFICATION_POLICY: AccessPolicy = {
    method("StartVerification"): FAMILY,
    method("ResendVerificationCode"): FAMILY,
    method("ConfirmVerification"): FAMILY,
}


class VerificationApi:
    gateway: SmsGateway

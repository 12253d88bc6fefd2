"""PreviewSms: what a text would cost as SMS, before it is sent."""

from __future__ import annotations

from kinlink_kit.auth import AccessPolicy

from kinlink_sms.entrypoints.messages import FAMILY
from kinlink_sms.entrypoints.messages import method
from kinlink_sms.service_layer.gateway import SmsGateway

PREVIEW_POLICY: AccessPolicy = {
    method("PreviewSms"): FAMILY,
}


class PreviewApi:
    gateway: SmsGateway

"""ListSmsHistory: the SMS sent to and received from the caller's phone, for 14 days."""

from __future__ import annotations

from kinlink_kit.auth import AccessPolicy

from kinlink_sms.service_layer.gateway import SmsGateway

HISTORY_POLICY: AccessPolicy = {}


class HistoryApi:
    gateway: SmsGateway

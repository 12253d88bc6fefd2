"""DisableSms, GetSmsSubscription and ListSmsSubscriptions: a family member's SMS settings,
one per resident."""

from __future__ import annotations

from kinlink_kit.auth import AccessPolicy

from kinlink_sms.entrypoints.messages import FAMILY
from kinlink_sms.entrypoints.messages import method
from kinlink_sms.service_layer.gateway import SmsGateway

SUBSCRIPTIONS_POLICY: AccessPolicy = {
    method("DisableSms"): FAMILY,
    method("GetSmsSubscription"): FAMILY,
    method("ListSmsSubscriptions"): FAMILY,
}


class SubscriptionsApi:
    gateway: SmsGateway

"""DisableSms: the family member turns SMS off for a resident; harmless when already off."""

from __future__ import annotations

from uuid import UUID

from kinlink_contracts.ids import canonical_id

from kinlink_sms.domain.subscription import SmsSubscription
from kinlink_sms.domain.subscription import SmsSubscriptionNotFound
from kinlink_sms.service_layer.gateway import SmsGateway


def disable_sms(
    gateway: SmsGateway, account_id: UUID, facility_id: str, resident_id: str
) -> SmsSubscription:
    now = gateway.clock()

    def disabling(subscription: SmsSubscription) -> SmsSubscription:
        subscription.disable(now)
        return subscription

    return gateway.change(
        SmsSubscription.create_id(account_id, canonical_id(facility_id), canonical_id(resident_id)),
        SmsSubscription,
        disabling,
        missing=SmsSubscriptionNotFound,
    )

"""GetSmsSubscription and ListSmsSubscriptions: a family member's SMS settings, per resident,
as last saved."""

from __future__ import annotations

from uuid import UUID

from kinlink_contracts.ids import canonical_id

from kinlink_sms.domain.account_subscriptions import AccountSubscriptions
from kinlink_sms.domain.subscription import SmsSubscription
from kinlink_sms.domain.subscription import SmsSubscriptionNotFound
from kinlink_sms.service_layer.gateway import SmsGateway


def get_subscription(
    gateway: SmsGateway, account_id: UUID, facility_id: str, resident_id: str
) -> SmsSubscription:
    subscription_id = SmsSubscription.create_id(
        account_id, canonical_id(facility_id), canonical_id(resident_id)
    )
    found = gateway.find(subscription_id, SmsSubscription, to_change=False)
    if found is None:
        raise SmsSubscriptionNotFound()
    return found


def list_subscriptions(gateway: SmsGateway, account_id: UUID) -> list[SmsSubscription]:
    """Oldest set up first."""
    index = gateway.find(
        AccountSubscriptions.create_id(account_id), AccountSubscriptions, to_change=False
    )
    if index is None:
        return []
    found = (gateway.find(i, SmsSubscription, to_change=False) for i in index.subscriptions)
    return [subscription for subscription in found if subscription is not None]

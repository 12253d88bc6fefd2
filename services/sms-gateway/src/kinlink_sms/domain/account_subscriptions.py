"""The residents a family member ever set SMS up for, so their settings are listed from the
store as they were just saved (a read model would lag behind a confirmation)."""

from __future__ import annotations

from uuid import UUID

from eventsourcing.domain import Aggregate
from eventsourcing.domain import event

from kinlink_sms.domain.ids import account_subscriptions_id


class AccountSubscriptions(Aggregate):
    @staticmethod
    def create_id(account_id: UUID) -> UUID:
        return account_subscriptions_id(account_id)

    @event("Opened")
    def __init__(self, account_id: UUID) -> None:
        self.account_id = account_id
        self.subscriptions: list[UUID] = []

    def add(self, subscription_id: UUID) -> None:
        if subscription_id not in self.subscriptions:
            self._added(subscription_id)

    @event("Added")
    def _added(self, subscription_id: UUID) -> None:
        self.subscriptions.append(subscription_id)

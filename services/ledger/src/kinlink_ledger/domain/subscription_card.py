"""The card that funds an account's messaging subscription, as identity last said (FAQ: a card
marked "fund my messaging subscription" replaces the one that did)."""

from __future__ import annotations

from uuid import UUID

from eventsourcing.domain import Aggregate, event

from kinlink_ledger.domain.ids import subscription_card_id


class SubscriptionCard(Aggregate):
    class Chosen(Aggregate.Created):
        account_id: UUID
        card_id: UUID
        payment_method: str

    class Replaced(Aggregate.Event):
        card_id: UUID
        payment_method: str

    @staticmethod
    def create_id(account_id: UUID, **_: object) -> UUID:
        return subscription_card_id(account_id)

    @event(Chosen)
    def __init__(self, account_id: UUID, card_id: UUID, payment_method: str) -> None:
        self.account_id = account_id
        self.card_id = card_id
        self.payment_method = payment_method

    def replace(self, card_id: UUID, payment_method: str) -> None:
        if card_id != self.card_id:
            self._replaced(card_id, payment_method)

    @event(Replaced)
    def _replaced(self, card_id: UUID, payment_method: str) -> None:
        self.card_id = card_id
        self.payment_method = payment_method

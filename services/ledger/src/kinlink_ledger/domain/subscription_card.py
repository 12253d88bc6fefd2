"""The card that funds an account's messaging subscription, as identity last said (requirements: a
card marked "fund my messaging subscription" replaces the one that did).

Disabling the subscription releases the card (requirements "Edit Payment Method": the family may
then edit or remove it): setting the subscription up again needs identity to choose a card again.
Identity numbers its choices; the release names the one it ends, so that identity keeps the mark of
a card chosen after it (see kinlink_identity.service_layer.release_subscription_card)."""

from __future__ import annotations

from uuid import UUID

from eventsourcing.domain import Aggregate
from eventsourcing.domain import event

from kinlink_ledger.domain.ids import subscription_card_id


class SubscriptionCard(Aggregate):
    # `choice` is None in events recorded before identity numbered its choices.
    class Chosen(Aggregate.Created):
        account_id: UUID
        card_id: UUID
        payment_method: str
        choice: int | None

    class Replaced(Aggregate.Event):
        card_id: UUID
        payment_method: str
        choice: int | None

    class Released(Aggregate.Event):
        """The subscription the card funded was disabled."""

        card_id: UUID
        choice: int | None

    @staticmethod
    def create_id(account_id: UUID, **_: object) -> UUID:
        return subscription_card_id(account_id)

    @event(Chosen)
    def __init__(
        self, account_id: UUID, card_id: UUID, payment_method: str, choice: int | None = None
    ) -> None:
        self.account_id = account_id
        self.card_id = card_id
        self.payment_method = payment_method
        self.choice = choice
        self.released = False

    def replace(self, card_id: UUID, payment_method: str, choice: int | None = None) -> None:
        """A choice no newer than the one known (a copy redelivered, perhaps after the card was
        released) changes nothing; unnumbered choices are taken in the order they come."""
        if choice is not None and self.choice is not None and choice <= self.choice:
            return
        if self.released or (card_id, choice) != (self.card_id, self.choice):
            self._replaced(card_id, payment_method, choice)

    @event(Replaced)
    def _replaced(self, card_id: UUID, payment_method: str, choice: int | None = None) -> None:
        self.card_id = card_id
        self.payment_method = payment_method
        self.choice = choice
        self.released = False

    def release(self) -> None:
        if not self.released:
            self._released(self.card_id, self.choice)

    @event(Released)
    def _released(self, card_id: UUID, choice: int | None) -> None:
        self.released = True

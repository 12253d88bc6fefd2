"""The cards an account added in identity, by their processor tokens: the only cards the ledger
charges or holds for that account (identity's CardAdded and CardRemoved)."""

from __future__ import annotations

from uuid import UUID

from eventsourcing.domain import Aggregate
from eventsourcing.domain import event
from kinlink_kit.errors import NotFound

from kinlink_ledger.domain.ids import account_cards_id


class PaymentMethodNotFound(NotFound):
    """Also what another account's card is to its caller: tokens tell nothing about others."""

    def __init__(self) -> None:
        super().__init__("payment_method_not_found", "No such card on your account: add it first.")


class AccountCards(Aggregate):
    @staticmethod
    def create_id(account_id: str) -> UUID:
        return account_cards_id(account_id)

    @event("Opened")
    def __init__(self, account_id: str) -> None:
        self.account_id = account_id
        self.payment_methods: dict[str, str] = {}  # card id -> processor token

    def holds(self, payment_method: str) -> bool:
        return payment_method in self.payment_methods.values()

    def add(self, card_id: UUID, payment_method: str) -> None:
        if self.payment_methods.get(str(card_id)) != payment_method:
            self._added(str(card_id), payment_method)

    @event("CardAdded")
    def _added(self, card_id: str, payment_method: str) -> None:
        self.payment_methods[card_id] = payment_method

    def remove(self, card_id: UUID) -> None:
        if str(card_id) in self.payment_methods:
            self._removed(str(card_id))

    @event("CardRemoved")
    def _removed(self, card_id: str) -> None:
        del self.payment_methods[card_id]

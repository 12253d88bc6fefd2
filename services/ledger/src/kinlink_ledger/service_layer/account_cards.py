"""The cards each account added in identity (its CardAdded and CardRemoved), and the check that
a deposit or an allowance uses one of the payer's own."""

from __future__ import annotations

from kinlink_contracts.envelope import Envelope
from kinlink_contracts.identity import CardAdded
from kinlink_contracts.identity import CardRemoved
from kinlink_kit.eventstore import Tracking

from kinlink_ledger.domain.account_cards import AccountCards
from kinlink_ledger.domain.account_cards import PaymentMethodNotFound
from kinlink_ledger.service_layer.ledger import Ledger


def check_own_card(ledger: Ledger, account_id: str, payment_method: str) -> None:
    """A token the account did not add is refused as if it did not exist: tokens tell nothing
    about other accounts' cards."""
    cards = ledger.store.find(AccountCards.create_id(account_id), AccountCards, to_change=False)
    if cards is None or not cards.holds(payment_method.strip()):
        raise PaymentMethodNotFound()


def _cards(ledger: Ledger, account_id: str) -> AccountCards:
    found = ledger.find(AccountCards.create_id(account_id), AccountCards)
    return found if found is not None else AccountCards(account_id)


def card_added(ledger: Ledger, envelope: Envelope, tracking: Tracking) -> None:
    added = CardAdded.model_validate(envelope.payload)
    if added.payment_method is None:
        # Published before the event named the token: nothing the ledger could charge.
        ledger.store.save_tracked(tracking)
        return
    cards = _cards(ledger, str(added.account_id))
    cards.add(added.card_id, added.payment_method)
    ledger.store.save_tracked(tracking, cards)


def card_removed(ledger: Ledger, envelope: Envelope, tracking: Tracking) -> None:
    removed = CardRemoved.model_validate(envelope.payload)
    cards = _cards(ledger, str(removed.account_id))
    cards.remove(removed.card_id)
    ledger.store.save_tracked(tracking, cards)

"""MessagingSubscriptionCardChosen from identity: the card the messaging subscription's wallet
charges from now on (the wallet itself comes with the messaging subscription)."""

from __future__ import annotations

from kinlink_contracts.envelope import Envelope
from kinlink_contracts.identity import MessagingSubscriptionCardChosen
from kinlink_kit.eventstore import Tracking

from kinlink_ledger.domain.subscription_card import SubscriptionCard
from kinlink_ledger.service_layer.ledger import Ledger


def choose_subscription_card(ledger: Ledger, envelope: Envelope, tracking: Tracking) -> None:
    chosen = MessagingSubscriptionCardChosen.model_validate(envelope.payload)
    card = ledger.find(SubscriptionCard.create_id(chosen.account_id), SubscriptionCard)
    if card is None:
        card = SubscriptionCard(
            chosen.account_id, chosen.card_id, chosen.payment_method, chosen.choice
        )
    else:
        card.replace(chosen.card_id, chosen.payment_method, chosen.choice)
    ledger.store.save_tracked(tracking, card)

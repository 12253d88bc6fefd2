"""DisableSubscription: the card is no longer charged for messaging (requirements: "Disable
Messaging Subscription"); the credit left can still be spent.

The card that funded the subscription is released in the same transaction: its release is
published as MessagingSubscriptionDisabled, after which identity lets the family edit or remove
the card (requirements "Edit Payment Method"), and a new subscription needs a card marked again.
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from kinlink_ledger.domain.subscription_card import SubscriptionCard
from kinlink_ledger.domain.wallet import MessagingWallet
from kinlink_ledger.service_layer.ledger import Ledger
from kinlink_ledger.service_layer.wallets import change_wallet


@dataclass(frozen=True)
class DisableSubscription:
    account_id: UUID


def disable_subscription(ledger: Ledger, command: DisableSubscription) -> MessagingWallet:
    def disable(wallet: MessagingWallet) -> list[SubscriptionCard]:
        wallet.disable()
        card = ledger.find(SubscriptionCard.create_id(command.account_id), SubscriptionCard)
        if card is None:  # set up before the ledger kept the subscription's card
            return []
        card.release()
        return [card]

    wallet, _ = change_wallet(
        ledger, command.account_id, disable, also_saving=lambda released: released
    )
    return wallet

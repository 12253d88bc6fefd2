"""DisableSubscription: the card is no longer charged for messaging (FAQ: "Disable Messaging
Subscription"); the credit left can still be spent."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from kinlink_ledger.domain.wallet import MessagingWallet
from kinlink_ledger.service_layer.ledger import Ledger
from kinlink_ledger.service_layer.wallets import change_wallet


@dataclass(frozen=True)
class DisableSubscription:
    account_id: UUID


def disable_subscription(ledger: Ledger, command: DisableSubscription) -> MessagingWallet:
    wallet, _ = change_wallet(ledger, command.account_id, MessagingWallet.disable)
    return wallet

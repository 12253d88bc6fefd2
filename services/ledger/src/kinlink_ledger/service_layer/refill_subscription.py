"""RefillSubscription: fund the wallet again, once it is entirely depleted (requirements: "Refill
Messaging Subscription"), on the card that funds the subscription now."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from kinlink_ledger.service_layer.ledger import Ledger
from kinlink_ledger.service_layer.set_up_subscription import subscription_card
from kinlink_ledger.service_layer.wallet_funding import FundingResult
from kinlink_ledger.service_layer.wallet_funding import charge_card
from kinlink_ledger.service_layer.wallets import change_wallet


@dataclass(frozen=True)
class RefillSubscription:
    account_id: UUID


def refill_subscription(ledger: Ledger, command: RefillSubscription) -> FundingResult:
    card = subscription_card(ledger, command.account_id)
    wallet, funding = change_wallet(
        ledger,
        command.account_id,
        lambda wallet: wallet.start_funding(card.payment_method, ledger.clock(), first=False),
    )
    return charge_card(ledger, wallet, funding)

"""SetUpSubscription: a messaging subscription on the card identity marks for it, funded at once
with one of the facility's amounts (requirements: "Setup Messaging Subscription")."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from kinlink_kit.errors import FailedPrecondition

from kinlink_ledger.domain.money import Cents
from kinlink_ledger.domain.subscription_card import SubscriptionCard
from kinlink_ledger.domain.wallet import Funding
from kinlink_ledger.domain.wallet import MessagingWallet
from kinlink_ledger.service_layer.ledger import Ledger
from kinlink_ledger.service_layer.wallet_funding import FundingResult
from kinlink_ledger.service_layer.wallet_funding import charge_card
from kinlink_ledger.service_layer.wallets import change_wallet


@dataclass(frozen=True)
class SetUpSubscription:
    account_id: UUID
    facility_id: str
    funding_amount: Cents


def set_up_subscription(ledger: Ledger, command: SetUpSubscription) -> FundingResult:
    facility = ledger.facilities.get(command.facility_id)
    facility.prices.check_funding(command.funding_amount)
    card = subscription_card(ledger, command.account_id, released_too=False)

    def set_up_and_fund(wallet: MessagingWallet) -> Funding:
        wallet.set_up(command.facility_id, command.funding_amount)
        return wallet.start_funding(card.payment_method, ledger.clock(), first=True)

    wallet, funding = change_wallet(ledger, command.account_id, set_up_and_fund, open_new=True)
    return charge_card(ledger, wallet, funding)


def subscription_card(
    ledger: Ledger, account_id: UUID, *, released_too: bool = True
) -> SubscriptionCard:
    """The card identity marked; a new subscription needs one marked since the last was
    disabled (which released its card), a refill of an active one is funded by its card."""
    card = ledger.find(SubscriptionCard.create_id(account_id), SubscriptionCard)
    if card is None or (card.released and not released_too):
        raise FailedPrecondition(
            "subscription_card_missing",
            "Mark one of your cards to fund your messaging subscription first.",
        )
    return card

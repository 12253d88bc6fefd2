"""The messaging subscription and its wallet, keyed by account id: MessagingSubscriptionSetUp
and MessagingSubscriptionDisabled, WalletFunded and WalletFundingFailed, WalletCharged,
WalletChargeRefunded and WalletCredited. What stays inside: fundings under way (and the issuer's
challenge), the wallet's debits and restorations (published as the charges and refunds that made
them) and journal entries.

MessagingSubscriptionDisabled is published from the release of the subscription's card, which
the disable records in the same transaction: the release names the card and identity's choice of
it as they were then, whatever identity chose since.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from kinlink_contracts import ledger as contract
from kinlink_contracts.ledger import ChargedItem
from kinlink_contracts.ledger import DeclineReason
from kinlink_contracts.ledger import MessagingSubscriptionDisabled
from kinlink_contracts.ledger import MessagingSubscriptionSetUp
from kinlink_contracts.ledger import WalletCharged
from kinlink_contracts.ledger import WalletChargeRefunded
from kinlink_contracts.ledger import WalletCredited
from kinlink_contracts.ledger import WalletFunded
from kinlink_contracts.ledger import WalletFundingFailed
from kinlink_kit.translation import Published
from kinlink_kit.translation import Translation

from kinlink_ledger.adapters.integration_events.base import FirstEvents
from kinlink_ledger.domain.subscription_card import SubscriptionCard
from kinlink_ledger.domain.wallet import MessagingWallet
from kinlink_ledger.domain.wallet_charge import WalletCharge


def wallet_translations(first_events: FirstEvents) -> dict[type, Translation]:
    def owner(domain_event: Any) -> UUID:
        return first_events.of(domain_event, MessagingWallet.Opened).account_id

    def set_up(domain_event: MessagingWallet.SubscriptionSetUp) -> Published:
        return _of_account(
            MessagingSubscriptionSetUp(
                account_id=owner(domain_event),
                facility_id=domain_event.facility_id,
                funding_amount_cents=domain_event.funding_amount,
            )
        )

    def funding_failed(domain_event: MessagingWallet.FundingFailed) -> Published:
        return _of_account(
            WalletFundingFailed(
                account_id=owner(domain_event),
                funding_id=domain_event.funding_id,
                facility_id=domain_event.facility_id,
                amount_cents=domain_event.amount,
                reason=DeclineReason(domain_event.reason),
            )
        )

    def credited(domain_event: MessagingWallet.Credited) -> Published:
        return _of_account(
            WalletCredited(
                account_id=owner(domain_event),
                credit_id=domain_event.credit_id,
                reference=domain_event.reference,
                facility_id=domain_event.facility_id,
                kind=domain_event.kind,
                amount_cents=domain_event.amount,
                reason=domain_event.reason,
            )
        )

    def disabled(domain_event: SubscriptionCard.Released) -> Published:
        chosen = first_events.of(domain_event, SubscriptionCard.Chosen)
        return _of_account(
            MessagingSubscriptionDisabled(
                account_id=chosen.account_id,
                card_id=domain_event.card_id,
                card_choice=domain_event.choice,
            )
        )

    return {
        MessagingWallet.Opened: first_events.remembering,
        MessagingWallet.SubscriptionSetUp: set_up,
        MessagingWallet.Funded: _funded,
        MessagingWallet.FundingFailed: funding_failed,
        MessagingWallet.Credited: credited,
        WalletCharge.Made: _charged,
        WalletCharge.Refunded: _refunded,
        SubscriptionCard.Chosen: first_events.remembering,
        SubscriptionCard.Released: disabled,
    }


def _of_account(event: contract._AccountEvent) -> Published:
    return Published(str(event.account_id), event)


def _funded(domain_event: MessagingWallet.Funded) -> Published:
    return _of_account(
        WalletFunded(
            account_id=domain_event.account_id,
            funding_id=domain_event.funding_id,
            facility_id=domain_event.facility_id,
            amount_cents=domain_event.amount,
            payment_reference=domain_event.payment_reference,
            receipt_number=MessagingWallet.receipt_number_of(domain_event.funding_id),
        )
    )


def _charged(domain_event: WalletCharge.Made) -> Published:
    items = [
        ChargedItem(
            kind=item["kind"], quantity=item["quantity"], unit_price_cents=item["unit_price"]
        )
        for item in domain_event.items
    ]
    return _of_account(
        WalletCharged(
            account_id=domain_event.account_id,
            charge_id=domain_event.originator_id,
            reference=domain_event.reference,
            facility_id=domain_event.facility_id,
            kind=items[0].kind,
            quantity=items[0].quantity,
            unit_price_cents=items[0].unit_price_cents,
            items=items,
            amount_cents=domain_event.amount,
            from_credit_cents=domain_event.from_credits,
            from_funded_cents=domain_event.from_funds,
            balance_after_cents=domain_event.balance_after,
        )
    )


def _refunded(domain_event: WalletCharge.Refunded) -> Published:
    return _of_account(
        WalletChargeRefunded(
            account_id=domain_event.account_id,
            charge_id=domain_event.originator_id,
            reference=domain_event.reference,
            facility_id=domain_event.facility_id,
            amount_cents=domain_event.amount,
            reason=domain_event.reason,
        )
    )

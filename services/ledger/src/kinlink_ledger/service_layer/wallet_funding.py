"""Charging the card for a wallet funding, and recording how it went.

The funding id is the idempotency key of the processor's payment, whose reference is recorded
before it is confirmed: a funding left without an outcome (a crash, an unreachable processor, a
charge still `processing`) is finished by completing it, or by the payment sweep, through that
payment, and is never charged twice. A charge the issuer wants the payer to authenticate (3-D
Secure) waits for the family to do so, then `complete_funding` asks the processor where it stands.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from uuid import UUID

from kinlink_contracts.ledger import DeclineReason
from kinlink_kit.errors import FailedPrecondition
from kinlink_kit.logging import get_logger

from kinlink_ledger.domain.payments import ChargeOutcome
from kinlink_ledger.domain.payments import ChargeRequest
from kinlink_ledger.domain.payments import PaymentRefused
from kinlink_ledger.domain.payments import PaymentUnavailable
from kinlink_ledger.domain.wallet import Funding
from kinlink_ledger.domain.wallet import MessagingWallet
from kinlink_ledger.domain.wallet import SubscriptionNotFound
from kinlink_ledger.service_layer.ledger import Ledger

log = get_logger(__name__)


class FundingStatus(StrEnum):
    FUNDED = "funded"
    # The card issuer wants the payer to authenticate: show the challenge, then complete.
    REQUIRES_AUTHENTICATION = "requires_authentication"
    FAILED = "failed"


@dataclass(frozen=True)
class FundingResult:
    wallet: MessagingWallet
    funding_id: UUID
    status: FundingStatus
    # The card was declined, or the payer did not authenticate: a stable code, e.g.
    # payer_authentication_failed or payer_authentication_unavailable.
    failure_reason: str | None = None
    # What the client needs to present the issuer's challenge (Stripe's client secret).
    authentication: str | None = None


def charge_card(ledger: Ledger, wallet: MessagingWallet, funding: Funding) -> FundingResult:
    """Confirm the funding's payment (started first if need be) and record the outcome."""
    try:
        if funding.payment_reference is None:
            wallet = _start_payment(ledger, wallet, funding)
            if wallet.funding is None or wallet.funding.funding_id != funding.funding_id:
                return settled(wallet, funding.funding_id)
            funding = wallet.funding
        assert funding.payment_reference is not None
        outcome = ledger.payments.confirm(funding.payment_reference, payer_present=True)
    except PaymentUnavailable:
        raise outcome_unknown() from None
    except PaymentRefused as refused:
        log.warning(
            "the processor refused a funding",
            funding_id=str(funding.funding_id),
            error=str(refused),
        )
        outcome = ChargeOutcome(None, DeclineReason.PAYMENT_REFUSED)
    return record_outcome(ledger, wallet.account_id, funding.funding_id, outcome)


def _start_payment(ledger: Ledger, wallet: MessagingWallet, funding: Funding) -> MessagingWallet:
    """Start the processor's payment and record its reference, unless someone recorded one (or
    settled the funding) meanwhile: only the recorded payment is ever confirmed."""
    reference = ledger.payments.start(
        ChargeRequest(
            idempotency_key=str(funding.funding_id),
            amount=funding.amount,
            payment_method=funding.payment_method,
            description="Kinlink messaging subscription",
            metadata={"funding_id": str(funding.funding_id), "account_id": str(wallet.account_id)},
        )
    )

    def record_payment(wallet: MessagingWallet) -> MessagingWallet:
        current = wallet.funding
        if current is None or current.funding_id != funding.funding_id or current.payment_reference:
            return wallet
        wallet.payment_started(reference)
        return wallet

    return ledger.change(wallet.id, MessagingWallet, record_payment, missing=SubscriptionNotFound)


def record_outcome(
    ledger: Ledger, account_id: UUID, funding_id: UUID, outcome: ChargeOutcome
) -> FundingResult:
    """Record `outcome` on the account's wallet, unless the funding was settled meanwhile."""

    def record(wallet: MessagingWallet) -> FundingResult:
        if wallet.funding is None or wallet.funding.funding_id != funding_id:
            return settled(wallet, funding_id)
        if outcome.processing:
            raise charge_processing()
        if outcome.awaiting_authentication:
            assert outcome.reference is not None
            wallet.await_authentication(outcome.reference)
            return FundingResult(
                wallet,
                funding_id,
                FundingStatus.REQUIRES_AUTHENTICATION,
                authentication=outcome.authentication,
            )
        if outcome.captured:
            assert outcome.reference is not None
            wallet.funded(outcome.reference)
        else:
            assert outcome.decline_reason is not None
            wallet.funding_failed(outcome.decline_reason.value)
        return settled(wallet, funding_id)

    wallet_id = MessagingWallet.create_id(account_id)
    return ledger.change(wallet_id, MessagingWallet, record, missing=SubscriptionNotFound)


def settled(wallet: MessagingWallet, funding_id: UUID) -> FundingResult:
    """How the wallet's last funding ended."""
    if wallet.last_funding is None or wallet.last_funding[0] != funding_id:
        raise FailedPrecondition("no_funding_in_progress", "No funding is under way.")
    reason = wallet.last_funding[1]
    status = FundingStatus.FUNDED if reason is None else FundingStatus.FAILED
    return FundingResult(wallet, funding_id, status, reason)


def outcome_unknown() -> FailedPrecondition:
    return FailedPrecondition(
        "charge_outcome_unknown",
        "The card processor did not answer. Complete the funding again to finish it; the card "
        "will not be charged twice.",
    )


def charge_processing() -> FailedPrecondition:
    return FailedPrecondition(
        "charge_processing",
        "The card processor is still processing the charge; the funding is finished as soon as "
        "it is done.",
    )

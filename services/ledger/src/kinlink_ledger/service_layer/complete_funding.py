"""CompleteFunding: finish the funding under way, after the payer answered the card issuer's
challenge, or after the processor failed to answer (what the payment sweep does too).

A charge still waiting for authentication when the family comes back is given up (the issuer
did not present its page: "Payer Authentication was unable to complete"), and cancelled so that
nothing stays held on the card.
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from kinlink_contracts.ledger import DeclineReason

from kinlink_ledger.domain.payments import ChargeOutcome
from kinlink_ledger.domain.payments import PaymentUnavailable
from kinlink_ledger.service_layer.ledger import Ledger
from kinlink_ledger.service_layer.wallet_funding import FundingResult
from kinlink_ledger.service_layer.wallet_funding import charge_card
from kinlink_ledger.service_layer.wallet_funding import outcome_unknown
from kinlink_ledger.service_layer.wallet_funding import record_outcome
from kinlink_ledger.service_layer.wallets import require_wallet


@dataclass(frozen=True)
class CompleteFunding:
    account_id: UUID


def complete_funding(ledger: Ledger, command: CompleteFunding) -> FundingResult:
    wallet = require_wallet(ledger, command.account_id)
    funding = wallet.pending_funding()
    if not funding.awaiting_authentication:
        # No outcome was recorded: confirm the recorded payment (it charges once at most).
        return charge_card(ledger, wallet, funding)
    assert funding.payment_reference is not None
    try:
        outcome = ledger.payments.charge_outcome(funding.payment_reference)
        if outcome.awaiting_authentication:
            ledger.payments.cancel(funding.payment_reference)
            # The payer may have finished the challenge just before the cancel: then it was
            # refused, the card is charged, and the wallet is funded after all.
            outcome = ledger.payments.charge_outcome(funding.payment_reference)
            if not outcome.captured:
                outcome = ChargeOutcome(
                    funding.payment_reference, DeclineReason.PAYER_AUTHENTICATION_UNAVAILABLE
                )
    except PaymentUnavailable:
        raise outcome_unknown() from None
    return record_outcome(ledger, command.account_id, funding.funding_id, outcome)

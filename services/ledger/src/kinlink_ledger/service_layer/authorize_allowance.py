"""AuthorizeAllowance: hold a family's card for a commissary allowance, once per allowance id.

The processor is asked first, with an idempotency key derived from the allowance id, and its
answer is recorded with the allowance in one transaction: a hold, booked from `card_holds` to the
allowance's `allowance_hold` account, or a decline that leaves nothing held and nothing booked.
Asking again with the same allowance id returns the first answer; when the answer was lost (a
timeout, a crash), asking again gets the same hold back from the processor, never a second one.
A hold nobody asks about again is not booked, and lapses at the processor, uncaptured.

Cards are refused as for deposits (not one the family member added, prepaid, or a brand the
facility does not take), and no payer is there to answer a 3-D Secure challenge: a card that
needs one is declined.
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from kinlink_contracts.ledger import DeclineReason
from kinlink_kit.errors import AlreadyExists
from kinlink_kit.errors import InvalidArgument
from kinlink_kit.errors import Unavailable
from kinlink_kit.logging import get_logger

from kinlink_ledger.domain.allowance import CommissaryAllowance
from kinlink_ledger.domain.money import Cents
from kinlink_ledger.domain.payments import ChargeOutcome
from kinlink_ledger.domain.payments import ChargeRequest
from kinlink_ledger.domain.payments import PaymentRefused
from kinlink_ledger.domain.payments import PaymentUnavailable
from kinlink_ledger.service_layer.account_cards import check_own_card
from kinlink_ledger.service_layer.allowances import find_allowance
from kinlink_ledger.service_layer.confirm_deposit import card_refusal
from kinlink_ledger.service_layer.ledger import Ledger

log = get_logger(__name__)


@dataclass(frozen=True)
class AuthorizeAllowance:
    allowance_id: UUID  # the commissary's
    account_id: UUID  # the family member whose card is held
    facility_id: str
    resident_id: str
    amount: Cents
    payment_method: str


def authorize_allowance(ledger: Ledger, command: AuthorizeAllowance) -> CommissaryAllowance:
    # A facility or payment method that is missing is as unknown as a wrong one (see _hold).
    if not command.resident_id.strip():
        raise InvalidArgument("resident_id_missing", "Whose allowance? A resident id is required.")
    if command.amount <= 0:
        raise InvalidArgument("amount_not_positive", "The amount must be more than $0.00.")
    first = find_allowance(ledger, command.allowance_id)
    if first is None:
        hold = _hold(ledger, command)

        def save_new() -> CommissaryAllowance:
            allowance = CommissaryAllowance.answered(
                command.allowance_id,
                command.account_id,
                command.facility_id,
                command.resident_id,
                command.amount,
                command.payment_method,
                hold,
                ledger.clock(),
            )
            ledger.store.save(allowance)
            return allowance

        # Asked twice at once: the allowance saved first is the answer to both.
        first = ledger.retrying(
            save_new, on_conflict=lambda: find_allowance(ledger, command.allowance_id)
        )
    if not first.same_request(
        command.account_id,
        command.facility_id,
        command.resident_id,
        command.amount,
        command.payment_method,
    ):
        raise AlreadyExists(
            "allowance_id_reused", "This allowance id was already authorised for another allowance."
        )
    return first


def _hold(ledger: Ledger, command: AuthorizeAllowance) -> ChargeOutcome:
    facility = ledger.facilities.get(command.facility_id)
    check_own_card(ledger, str(command.account_id), command.payment_method)
    refusal = card_refusal(ledger, facility, command.payment_method)
    if refusal is not None:
        return ChargeOutcome(None, refusal)
    allowance_id = CommissaryAllowance.create_id(command.allowance_id)
    try:
        return ledger.payments.authorize(
            ChargeRequest(
                idempotency_key=str(allowance_id),
                amount=command.amount,
                payment_method=command.payment_method,
                description=f"Commissary allowance for resident {command.resident_id}",
                metadata={
                    "allowance_id": str(command.allowance_id),
                    "facility_id": facility.facility_id,
                },
            )
        )
    except PaymentRefused as refused:
        # Asking again would be refused the same way: a decline, with nothing held.
        log.warning(
            "the processor refused a hold", allowance_id=str(allowance_id), error=str(refused)
        )
        return ChargeOutcome(None, DeclineReason.PAYMENT_REFUSED)
    except PaymentUnavailable:
        raise Unavailable(
            "processor_unavailable",
            "The card processor did not answer. Ask again with the same allowance id; the card "
            "will not be held twice.",
        ) from None

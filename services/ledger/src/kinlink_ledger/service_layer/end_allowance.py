"""EndAllowance: no more orders are paid from the allowance; what was used is captured and the
rest of the hold released, so nothing stays held on the card. It is also what AllowanceEnded from
the commissary does, and what the hold sweep does before a hold would expire.

What to capture is recorded before the processor is asked, and the capture's idempotency key
derives from the allowance: when the processor fails mid-way, ending again (a retried call, a
redelivered event, the next sweep) asks it the very same thing, so nothing is captured twice
and nothing stays held. Ending an allowance that was declined or has ended changes nothing.
"""

from __future__ import annotations

from uuid import UUID

from kinlink_contracts.commissary import AllowanceEnded
from kinlink_contracts.envelope import Envelope
from kinlink_kit.auth import Principal
from kinlink_kit.auth import Role
from kinlink_kit.consumer import EventRejected
from kinlink_kit.errors import FailedPrecondition
from kinlink_kit.eventstore import Tracking

from kinlink_ledger.domain.allowance import AllowanceStatus
from kinlink_ledger.domain.allowance import CommissaryAllowance
from kinlink_ledger.domain.payments import PaymentUnavailable
from kinlink_ledger.service_layer.allowances import allowance_for
from kinlink_ledger.service_layer.allowances import change_allowance
from kinlink_ledger.service_layer.allowances import find_allowance
from kinlink_ledger.service_layer.ledger import Ledger


def end_allowance(ledger: Ledger, allowance_id: UUID) -> CommissaryAllowance:
    allowance, _ = change_allowance(ledger, allowance_id, CommissaryAllowance.begin_end)
    if allowance.status is not AllowanceStatus.ENDING:
        return allowance
    assert allowance.payment_reference is not None
    try:
        if allowance.to_capture:
            ledger.payments.capture(
                allowance.payment_reference, allowance.to_capture, allowance.capture_key
            )
        else:
            ledger.payments.release(allowance.payment_reference)
    except PaymentUnavailable:
        raise FailedPrecondition(
            "end_outcome_unknown",
            "The card processor did not answer. End the allowance again to finish it; the card "
            "will not be charged twice.",
        ) from None
    ended, _ = change_allowance(ledger, allowance_id, lambda a: a.settle(ledger.clock()))
    return ended


def end_own_allowance(ledger: Ledger, allowance_id: str, caller: Principal) -> CommissaryAllowance:
    """A family member ends their own allowances; Kinlink's services (the commissary) any."""
    allowance = allowance_for(
        ledger,
        allowance_id,
        lambda allowance: (
            caller.has(Role.PLATFORM_SERVICE) or caller.account_id == str(allowance.account_id)
        ),
    )
    return end_allowance(ledger, allowance.allowance_id)


def allowance_ended(ledger: Ledger, envelope: Envelope, tracking: Tracking) -> None:
    """AllowanceEnded from the commissary. When the processor does not answer, the event is
    retried until it does (the hold sweep may end the allowance first); an allowance the ledger
    does not know is rejected."""
    ended = AllowanceEnded.model_validate(envelope.payload)
    if find_allowance(ledger, ended.allowance_id) is None:
        raise EventRejected(envelope.type, "allowance_not_found", "No such allowance.")
    end_allowance(ledger, ended.allowance_id)
    ledger.store.save_tracked(tracking)

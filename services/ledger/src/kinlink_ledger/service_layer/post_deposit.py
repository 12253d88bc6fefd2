"""DepositPosted from a facility: the resident's trust account was credited.

Only the facility holding the deposit can post it, for the resident it was made to: any other
posting (or one of a deposit the ledger does not know) is a facility system's mistake, or worse,
and is rejected, so that it is dead-lettered for operators to see rather than lost.
"""

from __future__ import annotations

from kinlink_contracts.envelope import Envelope
from kinlink_contracts.facility import DepositPosted
from kinlink_contracts.ids import canonical_id
from kinlink_kit.consumer import rejecting
from kinlink_kit.errors import FailedPrecondition
from kinlink_kit.eventstore import Tracking

from kinlink_ledger.service_layer.ledger import Ledger


def post_deposit(ledger: Ledger, envelope: Envelope, tracking: Tracking) -> None:
    posted = DepositPosted.model_validate(envelope.payload)
    with rejecting(envelope):
        deposit = ledger.deposit(posted.deposit_id)
        posted_to = (canonical_id(posted.facility_id), canonical_id(posted.resident_id))
        if posted_to != (deposit.facility_id, deposit.resident_id):
            raise FailedPrecondition(
                "deposit_posted_elsewhere",
                f"Deposit {deposit.id} is to {deposit.resident_id} at {deposit.facility_id}, "
                f"not to {posted.resident_id} at {posted.facility_id}.",
            )
    deposit.post(posted.posted_reference)
    ledger.store.save_tracked(tracking, deposit)

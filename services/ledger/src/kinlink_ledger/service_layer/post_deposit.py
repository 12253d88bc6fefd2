"""DepositPosted from a facility: the resident's trust account was credited. A deposit the
ledger does not know is rejected (dead-lettered)."""

from __future__ import annotations

from kinlink_contracts.envelope import Envelope
from kinlink_contracts.facility import DepositPosted
from kinlink_kit.consumer import rejecting
from kinlink_kit.eventstore import Tracking

from kinlink_ledger.service_layer.ledger import Ledger


def post_deposit(ledger: Ledger, envelope: Envelope, tracking: Tracking) -> None:
    posted = DepositPosted.model_validate(envelope.payload)
    with rejecting(envelope):
        deposit = ledger.deposit(posted.deposit_id)
    deposit.post(posted.posted_reference)
    ledger.store.save_tracked(tracking, deposit)

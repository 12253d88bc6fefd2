"""Deposits: DepositRequested, DepositCaptured and DepositDeclined, keyed by resident id."""

from __future__ import annotations

from typing import Any

from kinlink_contracts.envelope import IntegrationEvent
from kinlink_contracts.ledger import DepositCaptured
from kinlink_contracts.ledger import DepositDeclined
from kinlink_contracts.ledger import DepositRequested
from kinlink_kit.translation import Published
from kinlink_kit.translation import Translation

from kinlink_ledger.adapters.integration_events.base import FirstEvents
from kinlink_ledger.domain.deposit import Deposit


def deposit_translations(first_events: FirstEvents) -> dict[type, Translation]:
    def translate(domain_event: Any) -> Published:
        requested = first_events.of(domain_event, Deposit.Requested)
        return Published(
            requested.resident_id,
            _integration_event(domain_event, requested),
            correlation_id=requested.correlation_id,
            causation_id=str(requested.quote_id),
        )

    return {Deposit.Requested: translate, Deposit.Captured: translate, Deposit.Declined: translate}


def _integration_event(domain_event: Any, requested: Deposit.Requested) -> IntegrationEvent:
    common: dict[str, Any] = {
        "deposit_id": requested.originator_id,
        "facility_id": requested.facility_id,
        "resident_id": requested.resident_id,
        "depositor_id": requested.depositor_id,
        "amount_cents": requested.amount,
        "fee_cents": requested.fee,
    }
    if isinstance(domain_event, Deposit.Requested):
        return DepositRequested(**common, week_start=requested.week_start)
    if isinstance(domain_event, Deposit.Captured):
        return DepositCaptured(
            **common,
            total_cents=requested.amount + requested.fee,
            payment_reference=domain_event.payment_reference,
            receipt_number=Deposit.receipt_number_of(requested.originator_id),
        )
    return DepositDeclined(**common, reason=domain_event.reason)

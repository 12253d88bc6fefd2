"""Commissary allowances, keyed by resident id like deposits (a facility integration sees a
resident's money in order): AllowanceAuthorized or AllowanceDeclined, then AllowanceEnded with
what was captured and what released. The orders the allowance paid are the commissary's own
events; the ledger's steps in between (ending begun, captured, released) stay inside."""

from __future__ import annotations

from typing import Any

from kinlink_contracts.ledger import AllowanceAuthorized
from kinlink_contracts.ledger import AllowanceDeclined
from kinlink_contracts.ledger import AllowanceEnded
from kinlink_contracts.ledger import DeclineReason
from kinlink_kit.translation import Published
from kinlink_kit.translation import Translation

from kinlink_ledger.adapters.integration_events.base import FirstEvents
from kinlink_ledger.domain.allowance import CommissaryAllowance
from kinlink_ledger.service_layer.ledger import LedgerStore


def allowance_translations(
    store: LedgerStore, first_events: FirstEvents
) -> dict[type, Translation]:
    def requested(domain_event: Any) -> tuple[str, dict[str, Any]]:
        first = first_events.of(domain_event, CommissaryAllowance.Requested)
        return first.resident_id, {
            "allowance_id": first.allowance_id,
            "account_id": first.account_id,
            "facility_id": first.facility_id,
            "resident_id": first.resident_id,
            "amount_cents": first.amount,
        }

    def authorized(domain_event: CommissaryAllowance.Authorized) -> Published:
        resident_id, common = requested(domain_event)
        return Published(resident_id, AllowanceAuthorized(**common))

    def declined(domain_event: CommissaryAllowance.Declined) -> Published:
        resident_id, common = requested(domain_event)
        return Published(
            resident_id, AllowanceDeclined(**common, reason=DeclineReason(domain_event.reason))
        )

    def ended(domain_event: CommissaryAllowance.Ended) -> Published:
        resident_id, common = requested(domain_event)
        # Captured and released are recorded with the end: the allowance as of its end has both.
        allowance: CommissaryAllowance = store.repository.get(
            domain_event.originator_id, version=domain_event.originator_version
        )
        return Published(
            resident_id,
            AllowanceEnded(
                **common,
                captured_cents=allowance.captured,
                released_cents=allowance.released,
                receipt_number=allowance.receipt_number,
            ),
        )

    return {
        CommissaryAllowance.Requested: first_events.remembering,
        CommissaryAllowance.Authorized: authorized,
        CommissaryAllowance.Declined: declined,
        CommissaryAllowance.Ended: ended,
    }

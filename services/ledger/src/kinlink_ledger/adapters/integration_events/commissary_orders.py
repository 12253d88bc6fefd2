"""Commissary orders' charges, keyed by resident id like deposits: CommissaryOrderCharged or
CommissaryOrderChargeDeclined for each attempt the commissary made. Attempts begun and payments
started stay inside."""

from __future__ import annotations

from typing import Any

from kinlink_contracts.ledger import CommissaryOrderCharged
from kinlink_contracts.ledger import CommissaryOrderChargeDeclined
from kinlink_contracts.ledger import DeclineReason
from kinlink_kit.translation import Published
from kinlink_kit.translation import Translation

from kinlink_ledger.adapters.integration_events.base import FirstEvents
from kinlink_ledger.domain.order_charge import OrderCharge


def commissary_order_translations(first_events: FirstEvents) -> dict[type, Translation]:
    def common(domain_event: Any) -> tuple[str, dict[str, Any]]:
        opened = first_events.of(domain_event, OrderCharge.Opened)
        return opened.resident_id, {
            "order_id": opened.order_id,
            "attempt": domain_event.attempt,
            "account_id": opened.account_id,
            "facility_id": opened.facility_id,
            "resident_id": opened.resident_id,
            "amount_cents": domain_event.amount,
        }

    def captured(domain_event: OrderCharge.Captured) -> Published:
        resident_id, fields = common(domain_event)
        return Published(
            resident_id,
            CommissaryOrderCharged(
                **fields,
                payment_reference=domain_event.payment_reference,
                receipt_number=OrderCharge.receipt_number_of(domain_event.originator_id),
            ),
        )

    def declined(domain_event: OrderCharge.Declined) -> Published:
        resident_id, fields = common(domain_event)
        return Published(
            resident_id,
            CommissaryOrderChargeDeclined(**fields, reason=DeclineReason(domain_event.reason)),
        )

    return {
        OrderCharge.Opened: first_events.remembering,
        OrderCharge.Captured: captured,
        OrderCharge.Declined: declined,
    }

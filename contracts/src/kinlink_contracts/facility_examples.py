"""One example of each event a facility's system publishes on `kinlink.facility.events.v1`, as
it travels (the AsyncAPI document shows them): built from the models, so each one is valid.

A facility's system names itself `facility-<facility id>` as the producer and keys each event by
the resident it concerns; a posting carries on the correlation id of the capture it answers.
"""

from __future__ import annotations

from datetime import UTC
from datetime import datetime
from uuid import UUID

from kinlink_contracts import facility
from kinlink_contracts.commissary import PackDecision
from kinlink_contracts.demo import FAC_DEMO
from kinlink_contracts.envelope import Envelope
from kinlink_contracts.envelope import IntegrationEvent

RESIDENT = "R-1001"
AT = datetime(2026, 11, 2, 15, 30, tzinfo=UTC)
DEPOSIT = UUID("6f1c2b0e-1d4f-5a53-9a57-3c1f9e2b8d41")
ORDER = UUID("0b9e7c52-8f3a-4e1d-b6a2-5d7f1c3e9a10")
FAMILY_MEMBER = UUID("3d2a1f60-7b4c-4e8d-9f10-2a6b5c4d3e21")


def _sent(number: int, event: IntegrationEvent, correlation_id: str = "") -> Envelope:
    return Envelope.wrap(
        event,
        key=RESIDENT,
        producer=f"facility-{FAC_DEMO}",
        correlation_id=correlation_id or f"{FAC_DEMO}-{number}",
        event_id=UUID(int=number),
        occurred_at=AT,
    )


FACILITY_EXAMPLES: dict[str, Envelope] = {
    e.type: e
    for e in (
        _sent(
            1,
            facility.ResidentBooked(
                facility_id=FAC_DEMO, resident_id=RESIDENT, first_name="Ada", last_name="Lovelace"
            ),
        ),
        _sent(
            2,
            facility.ResidentTransferred(
                facility_id=FAC_DEMO,
                resident_id=RESIDENT,
                to_facility_id="FAC-EAST",
                to_resident_id="E-2044",
            ),
        ),
        _sent(3, facility.ResidentReleased(facility_id=FAC_DEMO, resident_id=RESIDENT)),
        _sent(
            4,
            facility.DepositPosted(
                deposit_id=DEPOSIT,
                facility_id=FAC_DEMO,
                resident_id=RESIDENT,
                posted_reference="TRUST-000812",
            ),
            # The correlation id of the DepositCaptured this posting answers.
            correlation_id=str(DEPOSIT),
        ),
        _sent(
            5,
            facility.ResidentMessagePosted(
                facility_id=FAC_DEMO,
                resident_id=RESIDENT,
                account_id=FAMILY_MEMBER,
                body="Thank you for the photos. See you Sunday.",
                client_key="KIOSK-55120",
            ),
        ),
        _sent(
            6,
            facility.CommissaryPurchased(
                facility_id=FAC_DEMO,
                resident_id=RESIDENT,
                order_reference="POS-99031",
                amount_cents=1275,
                purchased_at=AT,
            ),
        ),
        _sent(
            7,
            facility.CommissaryCatalogPublished(
                facility_id=FAC_DEMO,
                vendor="Demo Commissary Supply",
                order_limit_cents=10000,
                max_items_per_order=25,
                items=(
                    facility.CatalogItem(
                        sku="SNK-001",
                        name="Peanut butter crackers",
                        category="Snacks",
                        price_cents=125,
                        max_per_order=6,
                    ),
                ),
            ),
        ),
        _sent(
            8,
            facility.CommissaryPackShipped(
                order_id=ORDER, carrier="UPS", tracking_number="1Z999AA10123456784"
            ),
        ),
        _sent(9, facility.CommissaryPackDelivered(order_id=ORDER, delivered_at=AT)),
        _sent(
            10,
            facility.CommissaryPackDecided(order_id=ORDER, decision=PackDecision.HELD_FOR_PICKUP),
        ),
    )
}

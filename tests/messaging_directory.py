"""Identity's events about residents, as messaging's tests hand them to its consumer."""

from __future__ import annotations

from kinlink_contracts.envelope import Envelope
from kinlink_contracts.envelope import IntegrationEvent
from kinlink_contracts.facility import ResidentBooked


def from_identity(event: IntegrationEvent, key: str) -> Envelope:
    return Envelope.wrap(event, key=key, producer="identity", correlation_id="test")


def booked(facility_id: str, resident_id: str, first_name: str = "Ada") -> Envelope:
    event = ResidentBooked(
        facility_id=facility_id, resident_id=resident_id, first_name=first_name, last_name="King"
    )
    return from_identity(event, resident_id)

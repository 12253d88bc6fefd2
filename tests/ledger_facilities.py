"""A ledger's facilities configured as identity configures them: FacilityConfigured events,
applied by the ledger's own handler."""

from __future__ import annotations

from kinlink_contracts.demo import DEMO_FACILITIES, facility_configured
from kinlink_contracts.envelope import Envelope
from kinlink_contracts.topics import IDENTITY_EVENTS
from kinlink_kit.eventstore import Tracking
from kinlink_ledger.service_layer.configure_facility import configure_facility
from kinlink_ledger.service_layer.ledger import Ledger

# Where the events would have come from: one partition of identity's topic.
TRACKING_NAME = f"tests:{IDENTITY_EVENTS}:0"


def configure(ledger: Ledger, envelope: Envelope) -> None:
    """Apply `envelope` as the next message of the topic."""
    offset = (ledger.store.tracking.max_tracking_id(TRACKING_NAME) or 0) + 1
    configure_facility(ledger, envelope, Tracking(TRACKING_NAME, offset))


def configure_demo_facilities(ledger: Ledger) -> None:
    for facility_id, settings in DEMO_FACILITIES.items():
        configure(ledger, facility_configured(facility_id, settings))

"""FacilityConfigured from identity: a facility's settings, whole, replace what the commissary
knew."""

from __future__ import annotations

from kinlink_contracts.envelope import Envelope
from kinlink_kit.eventstore import Tracking
from kinlink_kit.facility_settings import record_facility_configured

from kinlink_commissary.service_layer.commissary import Commissary


def facility_configured(commissary: Commissary, envelope: Envelope, tracking: Tracking) -> None:
    record_facility_configured(commissary.store, envelope, tracking)

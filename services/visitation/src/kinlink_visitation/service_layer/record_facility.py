"""FacilityConfigured from identity: a facility's settings, whole, replace what visitation knew
(its visiting hours, stations, slot lengths, booking rules and price)."""

from __future__ import annotations

from kinlink_contracts.envelope import Envelope
from kinlink_kit.eventstore import Tracking
from kinlink_kit.facility_settings import record_facility_configured

from kinlink_visitation.service_layer.visitation import Visitation


def facility_configured(visitation: Visitation, envelope: Envelope, tracking: Tracking) -> None:
    record_facility_configured(visitation.store, envelope, tracking)

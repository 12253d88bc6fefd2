"""FacilityConfigured from identity: a facility's settings, whole, replace what messaging knew."""

from __future__ import annotations

from kinlink_contracts.envelope import Envelope
from kinlink_kit.eventstore import Tracking
from kinlink_kit.facility_settings import record_facility_configured

from kinlink_messaging.service_layer.messaging import Messaging


def facility_configured(messaging: Messaging, envelope: Envelope, tracking: Tracking) -> None:
    record_facility_configured(messaging.store, envelope, tracking)

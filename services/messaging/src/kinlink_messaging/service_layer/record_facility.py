"""FacilityConfigured from identity: a facility's settings, whole, replace what messaging knew."""

from __future__ import annotations

from kinlink_contracts.envelope import Envelope
from kinlink_contracts.identity import FacilityConfigured
from kinlink_kit.eventstore import Tracking

from kinlink_messaging.domain.directory import FacilityEntry
from kinlink_messaging.service_layer.messaging import Messaging


def facility_configured(messaging: Messaging, envelope: Envelope, tracking: Tracking) -> None:
    configured = FacilityConfigured.model_validate(envelope.payload)
    entry = messaging.find(FacilityEntry.create_id(configured.facility_id), FacilityEntry)
    if entry is None:
        entry = FacilityEntry.record(
            configured.facility_id, configured.revision, configured.settings
        )
    else:
        entry.replace(configured.revision, configured.settings)
    messaging.store.save_tracked(tracking, entry)

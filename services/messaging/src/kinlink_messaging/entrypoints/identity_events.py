"""What messaging takes from `kinlink.identity.events.v1`: each facility's settings and the
residents identity books, transfers and releases (its directory). Each handler saves its effect
with the event's tracking record, so a redelivered event changes nothing."""

from __future__ import annotations

from kinlink_contracts.identity import FacilityConfigured
from kinlink_kit.consumer import ServiceEventHandler
from kinlink_kit.residents import CUSTODY_HANDLERS

from kinlink_messaging.service_layer.messaging import Messaging
from kinlink_messaging.service_layer.record_facility import facility_configured

IDENTITY_HANDLERS: dict[str, ServiceEventHandler[Messaging]] = {
    FacilityConfigured.event_type: facility_configured,
    **CUSTODY_HANDLERS,
}

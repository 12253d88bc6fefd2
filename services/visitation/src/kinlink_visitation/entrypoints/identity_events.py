"""What visitation takes from `kinlink.identity.events.v1`: each facility's settings (visiting
hours, stations, slot lengths, booking rules, price) and the residents identity books, transfers
and releases (who may be visited, and where)."""

from __future__ import annotations

from kinlink_contracts.identity import FacilityConfigured
from kinlink_kit.consumer import ServiceEventHandler
from kinlink_kit.residents import CUSTODY_HANDLERS

from kinlink_visitation.service_layer.record_facility import facility_configured
from kinlink_visitation.service_layer.visitation import Visitation

IDENTITY_HANDLERS: dict[str, ServiceEventHandler[Visitation]] = {
    FacilityConfigured.event_type: facility_configured,
    **CUSTODY_HANDLERS,
}

"""What the commissary takes from `kinlink.identity.events.v1`: each facility's settings (its
payment mode, posting day and time, allowance period) and the residents identity books,
transfers and releases (who may be given an allowance or sent a pack). Each handler saves its
effect with the event's tracking record, so a redelivered event changes nothing."""

from __future__ import annotations

from kinlink_contracts.identity import FacilityConfigured
from kinlink_kit.consumer import ServiceEventHandler
from kinlink_kit.residents import CUSTODY_HANDLERS

from kinlink_commissary.service_layer.commissary import Commissary
from kinlink_commissary.service_layer.record_facility import facility_configured

IDENTITY_HANDLERS: dict[str, ServiceEventHandler[Commissary]] = {
    FacilityConfigured.event_type: facility_configured,
    **CUSTODY_HANDLERS,
}

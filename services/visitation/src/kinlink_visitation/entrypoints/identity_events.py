"""What visitation takes from `kinlink.identity.events.v1`: each facility's settings (visiting
hours, stations, slot lengths, booking rules, price) and the residents identity books, transfers
and releases (who may be visited, and where). A resident's leaving reaches their visits here:
those still booked are cancelled or ended, saved with the resident's entry and the event's
tracking record, so a redelivered event changes nothing."""

from __future__ import annotations

from kinlink_contracts.identity import FacilityConfigured
from kinlink_kit import residents
from kinlink_kit.consumer import ServiceEventHandler
from kinlink_kit.residents import CUSTODY_HANDLERS
from kinlink_kit.residents import Custody
from kinlink_kit.residents import ResidentLeaving

from kinlink_visitation.domain.calendar import Calendar
from kinlink_visitation.domain.visit import CancelledBy
from kinlink_visitation.domain.visit import Visit
from kinlink_visitation.service_layer.record_facility import facility_configured
from kinlink_visitation.service_layer.resident_left import ResidentGone
from kinlink_visitation.service_layer.resident_left import resident_leaving
from kinlink_visitation.service_layer.visitation import Visitation

_CANCELLED_BY = {
    Custody.TRANSFERRED: CancelledBy.RESIDENT_TRANSFERRED,
    Custody.RELEASED: CancelledBy.RESIDENT_RELEASED,
}


def _leaving(visitation: Visitation, leaving: ResidentLeaving) -> list[Visit | Calendar]:
    why = _CANCELLED_BY[leaving.custody]
    gone = ResidentGone(leaving.facility_id, leaving.resident_id, why, leaving.at)
    return resident_leaving(visitation, gone)


IDENTITY_HANDLERS: dict[str, ServiceEventHandler[Visitation]] = {
    FacilityConfigured.event_type: facility_configured,
    **CUSTODY_HANDLERS,
    **residents.leaving_handlers(_leaving),
}

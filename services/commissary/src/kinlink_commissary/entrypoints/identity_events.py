"""What the commissary takes from `kinlink.identity.events.v1`: each facility's settings (its
payment mode, posting day and time, allowance period) and the residents identity books,
transfers and releases (who may be given an allowance or sent a pack). Identity publishes every
booking, transfer and release, whether an officer made it in the console or the facility's
system reported it, so this is where a resident's leaving reaches their orders: unpaid ones
cancelled, paid ones not delivered marked, saved with the resident's entry and the event's
tracking record, so a redelivered event changes nothing."""

from __future__ import annotations

from kinlink_contracts.identity import FacilityConfigured
from kinlink_kit import residents
from kinlink_kit.consumer import ServiceEventHandler
from kinlink_kit.residents import CUSTODY_HANDLERS
from kinlink_kit.residents import Custody
from kinlink_kit.residents import ResidentLeaving

from kinlink_commissary.domain.order import Order
from kinlink_commissary.domain.order import ResidentLeft
from kinlink_commissary.service_layer.commissary import Commissary
from kinlink_commissary.service_layer.record_facility import facility_configured
from kinlink_commissary.service_layer.resident_left import ResidentGone
from kinlink_commissary.service_layer.resident_left import resident_leaving

_LEFT = {Custody.TRANSFERRED: ResidentLeft.TRANSFERRED, Custody.RELEASED: ResidentLeft.RELEASED}


def _leaving(commissary: Commissary, leaving: ResidentLeaving) -> list[Order]:
    gone = ResidentGone(
        leaving.facility_id, leaving.resident_id, _LEFT[leaving.custody], leaving.at
    )
    return resident_leaving(commissary, gone)


IDENTITY_HANDLERS: dict[str, ServiceEventHandler[Commissary]] = {
    FacilityConfigured.event_type: facility_configured,
    **CUSTODY_HANDLERS,
    **residents.leaving_handlers(_leaving),
}

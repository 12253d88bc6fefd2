"""What the commissary takes from `kinlink.identity.events.v1`: each facility's settings (its
payment mode, posting day and time, allowance period) and the residents identity books,
transfers and releases (who may be given an allowance or sent a pack). Identity publishes every
booking, transfer and release, whether an officer made it in the console or the facility's
system reported it, so this is where a resident's leaving reaches their orders: unpaid ones
cancelled, paid ones not delivered marked, saved with the resident's entry and the event's
tracking record, so a redelivered event changes nothing."""

from __future__ import annotations

from collections.abc import Callable

from kinlink_contracts.envelope import Envelope
from kinlink_contracts.facility import ResidentReleased
from kinlink_contracts.facility import ResidentTransferred
from kinlink_contracts.identity import FacilityConfigured
from kinlink_kit import residents
from kinlink_kit.consumer import ServiceEventHandler
from kinlink_kit.eventstore import TrackedApplication
from kinlink_kit.eventstore import Tracking
from kinlink_kit.residents import CUSTODY_HANDLERS
from kinlink_kit.residents import ResidentEntry

from kinlink_commissary.domain.order import ResidentLeft
from kinlink_commissary.service_layer.commissary import Commissary
from kinlink_commissary.service_layer.record_facility import facility_configured
from kinlink_commissary.service_layer.resident_left import ResidentGone
from kinlink_commissary.service_layer.resident_left import resident_leaving


def _leaving(
    left: ResidentLeft, custody: Callable[[TrackedApplication, Envelope], list[ResidentEntry]]
) -> ServiceEventHandler[Commissary]:
    def handle(commissary: Commissary, envelope: Envelope, tracking: Tracking) -> None:
        entries = custody(commissary.store, envelope)
        where = ResidentReleased.model_validate(envelope.payload)  # both carry these two
        gone = ResidentGone(where.facility_id, where.resident_id, left, envelope.occurred_at)
        orders = resident_leaving(commissary, gone)
        commissary.store.save_tracked(tracking, *entries, *orders)

    return handle


IDENTITY_HANDLERS: dict[str, ServiceEventHandler[Commissary]] = {
    FacilityConfigured.event_type: facility_configured,
    **CUSTODY_HANDLERS,
    ResidentTransferred.event_type: _leaving(ResidentLeft.TRANSFERRED, residents.transferred_away),
    ResidentReleased.event_type: _leaving(ResidentLeft.RELEASED, residents.released),
}

"""What visitation takes from `kinlink.identity.events.v1`: each facility's settings (visiting
hours, stations, slot lengths, booking rules, price) and the residents identity books, transfers
and releases (who may be visited, and where). A resident's leaving reaches their visits here:
those still booked are cancelled or ended, saved with the resident's entry and the event's
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

from kinlink_visitation.domain.visit import CancelledBy
from kinlink_visitation.service_layer.record_facility import facility_configured
from kinlink_visitation.service_layer.resident_left import ResidentGone
from kinlink_visitation.service_layer.resident_left import resident_leaving
from kinlink_visitation.service_layer.visitation import Visitation


def _leaving(
    why: CancelledBy, custody: Callable[[TrackedApplication, Envelope], list[ResidentEntry]]
) -> ServiceEventHandler[Visitation]:
    def handle(visitation: Visitation, envelope: Envelope, tracking: Tracking) -> None:
        entries = custody(visitation.store, envelope)
        where = ResidentReleased.model_validate(envelope.payload)  # both carry these two
        gone = ResidentGone(where.facility_id, where.resident_id, why, envelope.occurred_at)
        changed = resident_leaving(visitation, gone)
        visitation.store.save_tracked(tracking, *entries, *changed)

    return handle


IDENTITY_HANDLERS: dict[str, ServiceEventHandler[Visitation]] = {
    FacilityConfigured.event_type: facility_configured,
    **CUSTODY_HANDLERS,
    ResidentTransferred.event_type: _leaving(
        CancelledBy.RESIDENT_TRANSFERRED, residents.transferred_away
    ),
    ResidentReleased.event_type: _leaving(CancelledBy.RESIDENT_RELEASED, residents.released),
}

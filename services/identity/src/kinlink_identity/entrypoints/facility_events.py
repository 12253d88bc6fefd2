"""Bookings, transfers and releases that facility systems publish on kinlink.facility.events.v1.

Each is saved with its tracking record, so a redelivered message changes nothing. What identity
cannot apply (an unknown facility or resident, a resident no longer there) is raised as
FacilityEventRejected: the consumer puts it on the dead-letter topic at once, for an operator to
re-drive once identity knows what it needs (`kinlink ops dlq replay`).
"""

from __future__ import annotations

from collections.abc import Callable

from kinlink_contracts.envelope import Envelope
from kinlink_contracts.facility import ResidentBooked
from kinlink_contracts.facility import ResidentReleased
from kinlink_contracts.facility import ResidentTransferred
from kinlink_kit.consumer import EventRejected
from kinlink_kit.consumer import rejecting
from kinlink_kit.errors import AlreadyExists
from kinlink_kit.eventstore import Tracking

from kinlink_identity.service_layer.identity import Identity
from kinlink_identity.service_layer.residents import BookResident
from kinlink_identity.service_layer.residents import ReleaseResident
from kinlink_identity.service_layer.residents import TransferResident
from kinlink_identity.service_layer.residents import booking
from kinlink_identity.service_layer.residents import releasing
from kinlink_identity.service_layer.residents import transferring


class FacilityEventRejected(EventRejected):
    """A facility's event that contradicts what identity knows."""


def on_resident_booked(identity: Identity, envelope: Envelope, tracking: Tracking) -> None:
    booked = ResidentBooked.model_validate(envelope.payload)
    command = BookResident(
        booked.facility_id, booked.resident_id, booked.first_name, booked.last_name
    )
    with rejecting(envelope, FacilityEventRejected):
        try:
            changed = [booking(identity, command)]
        except AlreadyExists:
            changed = []  # a booking we know already: ours crossed theirs, or they resent it
    identity.store.save_tracked(tracking, *changed)


def on_resident_transferred(identity: Identity, envelope: Envelope, tracking: Tracking) -> None:
    transferred = ResidentTransferred.model_validate(envelope.payload)
    command = TransferResident(
        transferred.facility_id,
        transferred.resident_id,
        transferred.to_facility_id,
        transferred.to_resident_id or "",
    )
    with rejecting(envelope, FacilityEventRejected):
        changed = transferring(identity, command, destination_may_hold=True)
    identity.store.save_tracked(tracking, *changed)


def on_resident_released(identity: Identity, envelope: Envelope, tracking: Tracking) -> None:
    released = ResidentReleased.model_validate(envelope.payload)
    with rejecting(envelope, FacilityEventRejected):
        resident = releasing(identity, ReleaseResident(released.facility_id, released.resident_id))
    identity.store.save_tracked(tracking, resident)


FACILITY_EVENT_HANDLERS: dict[str, Callable[[Identity, Envelope, Tracking], None]] = {
    ResidentBooked.event_type: on_resident_booked,
    ResidentTransferred.event_type: on_resident_transferred,
    ResidentReleased.event_type: on_resident_released,
}

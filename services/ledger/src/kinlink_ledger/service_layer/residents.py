"""Residents as identity books, transfers and releases them (its ResidentBooked,
ResidentTransferred and ResidentReleased), and where a resident is held now.

Deposits check the resident when quoted and again when confirmed, against the ledger's own record:
the booking is news from identity, so a read of it is as current as anything the ledger can know
(a release racing a confirmation by a moment is the same as a release just after it).
"""

from __future__ import annotations

from typing import NamedTuple

from kinlink_contracts.envelope import Envelope
from kinlink_contracts.facility import ResidentBooked
from kinlink_contracts.facility import ResidentReleased
from kinlink_contracts.facility import ResidentTransferred
from kinlink_contracts.ids import canonical_id
from kinlink_kit.errors import FailedPrecondition
from kinlink_kit.eventstore import Tracking

from kinlink_ledger.domain.resident import CustodyStatus
from kinlink_ledger.domain.resident import Resident
from kinlink_ledger.domain.resident import ResidentNotFound
from kinlink_ledger.service_layer.ledger import Ledger

# More moves than this in one lookup is a loop in bad data, not a resident's history.
MAX_TRANSFERS = 20


class ResidentPlace(NamedTuple):
    """Where a resident is held, by that facility's own id for them."""

    facility_id: str
    resident_id: str


def where_held(ledger: Ledger, facility_id: str, resident_id: str) -> ResidentPlace:
    """The facility holding the resident now and its id for them, following transfers."""
    place = ResidentPlace(canonical_id(facility_id), canonical_id(resident_id))
    for _ in range(MAX_TRANSFERS):
        resident = ledger.store.find(Resident.create_id(*place), Resident, to_change=False)
        if resident is None:
            break
        if resident.status is CustodyStatus.RELEASED:
            raise FailedPrecondition(
                "resident_released",
                f"Resident {place.resident_id} has been released from {place.facility_id}.",
            )
        if resident.moved_to is None:
            return place
        place = ResidentPlace(*resident.moved_to)
    raise ResidentNotFound(canonical_id(facility_id), canonical_id(resident_id))


def _resident(ledger: Ledger, facility_id: str, resident_id: str) -> Resident:
    facility_id, resident_id = canonical_id(facility_id), canonical_id(resident_id)
    found = ledger.find(Resident.create_id(facility_id, resident_id), Resident)
    return found if found is not None else Resident(facility_id, resident_id)


def resident_booked(ledger: Ledger, envelope: Envelope, tracking: Tracking) -> None:
    booked = ResidentBooked.model_validate(envelope.payload)
    resident = _resident(ledger, booked.facility_id, booked.resident_id)
    resident.book()
    ledger.store.save_tracked(tracking, resident)


def resident_transferred(ledger: Ledger, envelope: Envelope, tracking: Tracking) -> None:
    moved = ResidentTransferred.model_validate(envelope.payload)
    resident = _resident(ledger, moved.facility_id, moved.resident_id)
    to_resident_id = moved.to_resident_id or resident.resident_id
    resident.transfer(canonical_id(moved.to_facility_id), canonical_id(to_resident_id))
    ledger.store.save_tracked(tracking, resident)


def resident_released(ledger: Ledger, envelope: Envelope, tracking: Tracking) -> None:
    released = ResidentReleased.model_validate(envelope.payload)
    resident = _resident(ledger, released.facility_id, released.resident_id)
    resident.release()
    ledger.store.save_tracked(tracking, resident)

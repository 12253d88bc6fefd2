"""BookResident, TransferResident and ReleaseResident: who is held where.

Operators may act for every facility, officers and facility integrations only for their own.
The same changes arrive from facility systems as events (entrypoints/facility_events.py); the
functions ending in -ing prepare the changed aggregates for either path to save.
"""

from __future__ import annotations

from dataclasses import dataclass

from kinlink_kit.auth import Principal
from kinlink_kit.errors import AlreadyExists

from kinlink_identity.domain.account_details import checked_name
from kinlink_identity.domain.facility import checked_id
from kinlink_identity.domain.ids import resident_id_of
from kinlink_identity.domain.resident import Resident
from kinlink_identity.domain.resident import ResidentNotFound
from kinlink_identity.service_layer.identity import Identity


@dataclass(frozen=True)
class BookResident:
    facility_id: str
    resident_id: str
    first_name: str
    last_name: str


@dataclass(frozen=True)
class TransferResident:
    facility_id: str
    resident_id: str
    to_facility_id: str
    # Empty: the resident keeps the same id at the new facility.
    to_resident_id: str = ""


@dataclass(frozen=True)
class ReleaseResident:
    facility_id: str
    resident_id: str


def book_resident(identity: Identity, caller: Principal, command: BookResident) -> Resident:
    caller.require_facility(checked_id(command.facility_id, "facility_id"))
    resident = booking(identity, command)
    identity.store.save(resident)
    return resident


def transfer_resident(identity: Identity, caller: Principal, command: TransferResident) -> Resident:
    """The resident as the source facility now knows them: transferred. The transfer books them
    at the destination too, so the caller must act for both facilities."""
    caller.require_facility(checked_id(command.facility_id, "facility_id"))
    caller.require_facility(
        checked_id(command.to_facility_id, "to_facility_id"), "to_facility_out_of_scope"
    )
    changed = transferring(identity, command)
    identity.store.save(*changed)
    return changed[0]


def release_resident(identity: Identity, caller: Principal, command: ReleaseResident) -> Resident:
    caller.require_facility(checked_id(command.facility_id, "facility_id"))
    resident = releasing(identity, command)
    identity.store.save(resident)
    return resident


def booking(identity: Identity, command: BookResident, *, prefix: str = "") -> Resident:
    """The resident held at the facility from now on, unsaved: booked, or booked again after a
    release or a transfer away. `prefix` ("to_") tells a transfer's destination ids from its
    source's in the codes of the refusals."""
    facility_id = checked_id(command.facility_id, f"{prefix}facility_id")
    resident_id = checked_id(command.resident_id, f"{prefix}resident_id")
    first_name = checked_name(command.first_name, "first_name")
    last_name = checked_name(command.last_name, "last_name")
    identity.facilities.settings(facility_id)
    resident = identity.find(resident_id_of(facility_id, resident_id), Resident)
    if resident is None:
        return Resident(facility_id, resident_id, first_name, last_name)
    resident.rebook(first_name, last_name)
    return resident


def transferring(
    identity: Identity, command: TransferResident, *, destination_may_hold: bool = False
) -> list[Resident]:
    """The resident moved away and booked at the destination, unsaved; only the resident when
    this transfer was made already (a retry), or when `destination_may_hold` and the destination
    holds them already (a facility system may report the booking before the transfer)."""
    resident = _known_resident(identity, command.facility_id, command.resident_id)
    to_facility_id = checked_id(command.to_facility_id, "to_facility_id")
    to_resident_id = checked_id(command.to_resident_id or resident.resident_id, "to_resident_id")
    if resident.has_moved_to(to_facility_id, to_resident_id):
        return [resident]
    resident.transfer(to_facility_id, to_resident_id)
    moved = BookResident(to_facility_id, to_resident_id, resident.first_name, resident.last_name)
    try:
        return [resident, booking(identity, moved, prefix="to_")]
    except AlreadyExists:
        if destination_may_hold:
            return [resident]
        raise


def releasing(identity: Identity, command: ReleaseResident) -> Resident:
    """The resident released, unsaved; releasing a released resident again changes nothing."""
    resident = _known_resident(identity, command.facility_id, command.resident_id)
    resident.release()
    return resident


def _known_resident(identity: Identity, facility_id: str, resident_id: str) -> Resident:
    aggregate_id = resident_id_of(
        checked_id(facility_id, "facility_id"), checked_id(resident_id, "resident_id")
    )
    return identity.require(aggregate_id, Resident, ResidentNotFound)

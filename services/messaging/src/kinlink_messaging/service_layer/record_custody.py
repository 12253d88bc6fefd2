"""Residents as identity books, transfers and releases them, in messaging's directory.

Identity books a transferred resident at their new facility in the same change, and publishes
that booking as ResidentBooked: the transfer itself only moves the resident away from here.
News of a resident messaging never heard booked changes nothing: there is nothing to message.
"""

from __future__ import annotations

from collections.abc import Callable

from kinlink_contracts.envelope import Envelope
from kinlink_contracts.facility import ResidentBooked
from kinlink_contracts.facility import ResidentReleased
from kinlink_contracts.facility import ResidentTransferred
from kinlink_kit.eventstore import Tracking

from kinlink_messaging.domain.directory import ResidentEntry
from kinlink_messaging.service_layer.messaging import Messaging


def _entry(messaging: Messaging, facility_id: str, resident_id: str) -> ResidentEntry | None:
    return messaging.find(ResidentEntry.create_id(facility_id, resident_id), ResidentEntry)


def resident_booked(messaging: Messaging, envelope: Envelope, tracking: Tracking) -> None:
    booked = ResidentBooked.model_validate(envelope.payload)
    entry = _entry(messaging, booked.facility_id, booked.resident_id)
    if entry is None:
        entry = ResidentEntry(
            booked.facility_id, booked.resident_id, booked.first_name, booked.last_name
        )
    else:
        entry.book(booked.first_name, booked.last_name)
    messaging.store.save_tracked(tracking, entry)


def resident_transferred(messaging: Messaging, envelope: Envelope, tracking: Tracking) -> None:
    moved = ResidentTransferred.model_validate(envelope.payload)
    _change(messaging, tracking, moved.facility_id, moved.resident_id, ResidentEntry.transfer_away)


def resident_released(messaging: Messaging, envelope: Envelope, tracking: Tracking) -> None:
    released = ResidentReleased.model_validate(envelope.payload)
    _change(messaging, tracking, released.facility_id, released.resident_id, ResidentEntry.release)


def _change(
    messaging: Messaging,
    tracking: Tracking,
    facility_id: str,
    resident_id: str,
    change: Callable[[ResidentEntry], None],
) -> None:
    entry = _entry(messaging, facility_id, resident_id)
    if entry is not None:
        change(entry)
    messaging.store.save_tracked(tracking, *([entry] if entry is not None else []))

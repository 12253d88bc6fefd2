"""Residents as a service records them from identity's `ResidentBooked`, `ResidentTransferred`
and `ResidentReleased`, and reads them back, for every service that must know who is held where
without calling identity (messaging, the commissary).

Identity owns bookings; each service keeps its own entries in its own store. Events of different
residents travel on different partitions and may come in any order between them: each entry
changes only when the news is news to it. Identity books a transferred resident at their new
facility in the same change, and publishes that booking as ResidentBooked: the transfer itself
only moves the resident away from here. News of a resident never heard booked changes nothing.
Residents are read from the store each time (no cache): a release must take effect at once.
"""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Protocol
from typing import TypeVar
from uuid import UUID
from uuid import uuid5

from eventsourcing.domain import Aggregate
from eventsourcing.domain import event
from kinlink_contracts.envelope import Envelope
from kinlink_contracts.facility import ResidentBooked
from kinlink_contracts.facility import ResidentReleased as ResidentReleasedEvent
from kinlink_contracts.facility import ResidentTransferred
from kinlink_contracts.ids import canonical_id

from kinlink_kit.errors import FailedPrecondition
from kinlink_kit.errors import NotFound
from kinlink_kit.eventstore import TrackedApplication
from kinlink_kit.eventstore import Tracking

# Messaging's first: its entries keep their ids. Each service has its own store, so services
# sharing it share nothing else.
_NAMESPACE = UUID("3c8e51a7-0d94-4b2f-8a6e-5f7b1c2d9e04")


class ResidentNotFound(NotFound):
    def __init__(self, facility_id: str, resident_id: str) -> None:
        super().__init__(
            "resident_not_found", f"No resident {resident_id!r} is held at {facility_id!r}."
        )


class ResidentReleased(FailedPrecondition):
    def __init__(self) -> None:
        super().__init__("resident_released", "This resident has been released.")


class Custody(StrEnum):
    HELD = "held"
    # Held elsewhere now: identity books them at the other facility too (its own ResidentBooked).
    TRANSFERRED = "transferred"
    RELEASED = "released"


@dataclass(frozen=True)
class ResidentRecord:
    facility_id: str
    resident_id: str
    name: str
    released: bool


class ResidentEntry(Aggregate):
    """A resident at one facility, by that facility's id for them."""

    @staticmethod
    def create_id(facility_id: str, resident_id: str) -> UUID:
        return uuid5(_NAMESPACE, f"resident/{facility_id}/{resident_id}")

    @event("Booked")
    def __init__(self, facility_id: str, resident_id: str, first_name: str, last_name: str) -> None:
        self.facility_id = facility_id
        self.resident_id = resident_id
        self.first_name = first_name
        self.last_name = last_name
        self.custody = Custody.HELD

    def book(self, first_name: str, last_name: str) -> None:
        """Held here (again, after a release or a transfer away), under these names."""
        if (self.custody, self.first_name, self.last_name) != (Custody.HELD, first_name, last_name):
            self._rebooked(first_name, last_name)

    @event("Rebooked")
    def _rebooked(self, first_name: str, last_name: str) -> None:
        self.first_name = first_name
        self.last_name = last_name
        self.custody = Custody.HELD

    def transfer_away(self) -> None:
        if self.custody is not Custody.TRANSFERRED:
            self._transferred_away()

    @event("TransferredAway")
    def _transferred_away(self) -> None:
        self.custody = Custody.TRANSFERRED

    def release(self) -> None:
        if self.custody is not Custody.RELEASED:
            self._released()

    @event("Released")
    def _released(self) -> None:
        self.custody = Custody.RELEASED

    @property
    def record(self) -> ResidentRecord | None:
        """What the directory says of the resident here; None once transferred away."""
        if self.custody is Custody.TRANSFERRED:
            return None
        return ResidentRecord(
            facility_id=self.facility_id,
            resident_id=self.resident_id,
            name=f"{self.first_name} {self.last_name}",
            released=self.custody is Custody.RELEASED,
        )


class _Service(Protocol):
    """Any service's application: the handlers need only its store."""

    @property
    def store(self) -> TrackedApplication: ...


def _entry(store: TrackedApplication, facility_id: str, resident_id: str) -> ResidentEntry | None:
    return store.find(ResidentEntry.create_id(facility_id, resident_id), ResidentEntry)


def resident_booked(service: _Service, envelope: Envelope, tracking: Tracking) -> None:
    booked = ResidentBooked.model_validate(envelope.payload)
    entry = _entry(service.store, booked.facility_id, booked.resident_id)
    if entry is None:
        entry = ResidentEntry(
            booked.facility_id, booked.resident_id, booked.first_name, booked.last_name
        )
    else:
        entry.book(booked.first_name, booked.last_name)
    service.store.save_tracked(tracking, entry)


def resident_transferred(service: _Service, envelope: Envelope, tracking: Tracking) -> None:
    service.store.save_tracked(tracking, *transferred_away(service.store, envelope))


def resident_released(service: _Service, envelope: Envelope, tracking: Tracking) -> None:
    service.store.save_tracked(tracking, *released(service.store, envelope))


def transferred_away(store: TrackedApplication, envelope: Envelope) -> list[ResidentEntry]:
    """The entry a ResidentTransferred changes, to be saved with the event's tracking record and
    whatever else the service does about it (none for a resident never heard booked)."""
    moved = ResidentTransferred.model_validate(envelope.payload)
    return _changed(store, moved.facility_id, moved.resident_id, ResidentEntry.transfer_away)


def released(store: TrackedApplication, envelope: Envelope) -> list[ResidentEntry]:
    """The entry a ResidentReleased changes, as `transferred_away`."""
    event = ResidentReleasedEvent.model_validate(envelope.payload)
    return _changed(store, event.facility_id, event.resident_id, ResidentEntry.release)


def _changed(
    store: TrackedApplication,
    facility_id: str,
    resident_id: str,
    change: Callable[[ResidentEntry], None],
) -> list[ResidentEntry]:
    entry = _entry(store, facility_id, resident_id)
    if entry is None:
        return []
    change(entry)
    return [entry]


# The handlers of a service's consumer of identity's topic, each saving its effect with the
# event's tracking record (a redelivered event changes nothing).
CUSTODY_HANDLERS: dict[str, Callable[[_Service, Envelope, Tracking], None]] = {
    ResidentBooked.event_type: resident_booked,
    ResidentTransferred.event_type: resident_transferred,
    ResidentReleasedEvent.event_type: resident_released,
}


ServiceT = TypeVar("ServiceT", bound=_Service)


@dataclass(frozen=True)
class ResidentLeaving:
    """A resident transferred away from or released by a facility, as of `at`."""

    facility_id: str
    resident_id: str
    custody: Custody  # TRANSFERRED or RELEASED
    at: datetime


def leaving_handlers(
    leaving: Callable[[ServiceT, ResidentLeaving], Sequence[Aggregate]],
) -> dict[str, Callable[[ServiceT, Envelope, Tracking], None]]:
    """The handlers of ResidentTransferred and ResidentReleased for a service that acts on a
    resident's leaving: what `leaving` changed is saved with the resident's entry and the
    event's tracking record (a redelivered event changes nothing)."""

    def handler(
        custody: Custody, change: Callable[[TrackedApplication, Envelope], list[ResidentEntry]]
    ) -> Callable[[ServiceT, Envelope, Tracking], None]:
        def handle(service: ServiceT, envelope: Envelope, tracking: Tracking) -> None:
            entries = change(service.store, envelope)
            where = ResidentReleasedEvent.model_validate(envelope.payload)  # both carry these
            gone = ResidentLeaving(
                where.facility_id, where.resident_id, custody, envelope.occurred_at
            )
            service.store.save_tracked(tracking, *entries, *leaving(service, gone))

        return handle

    return {
        ResidentTransferred.event_type: handler(Custody.TRANSFERRED, transferred_away),
        ResidentReleasedEvent.event_type: handler(Custody.RELEASED, released),
    }


class RecordedResidents:
    """Residents as recorded in `store`."""

    def __init__(self, store: TrackedApplication) -> None:
        self.store = store

    def resident(self, facility_id: str, resident_id: str) -> ResidentRecord:
        """The resident held (or released) at the facility; `ResidentNotFound` otherwise. A
        resident transferred away is found at the facility they were transferred to, not here."""
        facility_id, resident_id = canonical_id(facility_id), canonical_id(resident_id)
        entry = self.store.find(
            ResidentEntry.create_id(facility_id, resident_id), ResidentEntry, to_change=False
        )
        record = entry.record if entry is not None else None
        if record is None:
            raise ResidentNotFound(facility_id, resident_id)
        return record

    def require_held(self, facility_id: str, resident_id: str) -> ResidentRecord:
        """The resident, held at the facility now: `ResidentNotFound` or `ResidentReleased`."""
        record = self.resident(facility_id, resident_id)
        if record.released:
            raise ResidentReleased()
        return record

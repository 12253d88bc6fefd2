"""Messaging's directory: the facilities and residents identity told it of, as it recorded them.

Identity owns facilities and bookings; messaging keeps its own entries from identity's events
(FacilityConfigured, ResidentBooked, ResidentTransferred, ResidentReleased), so that a send needs
no call to identity. Events of different residents travel on different partitions and may come
in any order between them: each entry changes only when the news is news to it.
"""

from __future__ import annotations

from enum import StrEnum
from uuid import UUID
from uuid import uuid5

from eventsourcing.domain import Aggregate
from eventsourcing.domain import event
from eventsourcing.utils import register_topic
from kinlink_kit.facility_settings import FacilityEntry

from kinlink_messaging.domain.ports import ResidentRecord

DIRECTORY_NAMESPACE = UUID("3c8e51a7-0d94-4b2f-8a6e-5f7b1c2d9e04")

# Facilities' entries are the kit's, shared with the SMS gateway; those stored while they were
# messaging's own read as the kit's.
register_topic(f"{__name__}:FacilityEntry", FacilityEntry)
register_topic(f"{__name__}:FacilityEntry.Recorded", FacilityEntry.Recorded)
register_topic(f"{__name__}:FacilityEntry.Replaced", FacilityEntry.Replaced)


class Custody(StrEnum):
    HELD = "held"
    # Held elsewhere now: identity books them at the other facility too (its own ResidentBooked).
    TRANSFERRED = "transferred"
    RELEASED = "released"


class ResidentEntry(Aggregate):
    """A resident at one facility, by that facility's id for them."""

    @staticmethod
    def create_id(facility_id: str, resident_id: str) -> UUID:
        return uuid5(DIRECTORY_NAMESPACE, f"resident/{facility_id}/{resident_id}")

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

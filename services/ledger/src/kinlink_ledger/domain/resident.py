"""A resident as identity booked them at one facility: held there, transferred away, released.

The ledger keeps its own record from identity's ResidentBooked, ResidentTransferred and
ResidentReleased, and takes deposits only for residents held somewhere; a deposit to a resident
who moved goes to where they are held now, within that facility's weekly limit.
"""

from __future__ import annotations

from enum import StrEnum
from uuid import UUID

from eventsourcing.domain import Aggregate
from eventsourcing.domain import event
from kinlink_kit.errors import NotFound

from kinlink_ledger.domain.ids import resident_id_at


class CustodyStatus(StrEnum):
    HELD = "held"
    TRANSFERRED = "transferred"
    RELEASED = "released"


class ResidentNotFound(NotFound):
    """A resident identity never booked at the facility (or at the end of their transfers)."""

    def __init__(self, facility_id: str, resident_id: str) -> None:
        super().__init__(
            "resident_not_found", f"No resident {resident_id!r} is held at {facility_id!r}."
        )


class Resident(Aggregate):
    @staticmethod
    def create_id(facility_id: str, resident_id: str) -> UUID:
        return resident_id_at(facility_id, resident_id)

    @event("Booked")
    def __init__(self, facility_id: str, resident_id: str) -> None:
        self.facility_id = facility_id
        self.resident_id = resident_id
        self.status = CustodyStatus.HELD
        self.moved_to: tuple[str, str] | None = None  # (facility id, resident id there)

    def book(self) -> None:
        """Held here again, after a release or a transfer away."""
        if self.status is not CustodyStatus.HELD:
            self._rebooked()

    @event("Rebooked")
    def _rebooked(self) -> None:
        self.status = CustodyStatus.HELD
        self.moved_to = None

    def transfer(self, to_facility_id: str, to_resident_id: str) -> None:
        if self.moved_to != (to_facility_id, to_resident_id):
            self._transferred(to_facility_id, to_resident_id)

    @event("Transferred")
    def _transferred(self, to_facility_id: str, to_resident_id: str) -> None:
        self.status = CustodyStatus.TRANSFERRED
        self.moved_to = (to_facility_id, to_resident_id)

    def release(self) -> None:
        if self.status is not CustodyStatus.RELEASED:
            self._released()

    @event("Released")
    def _released(self) -> None:
        self.status = CustodyStatus.RELEASED
        self.moved_to = None

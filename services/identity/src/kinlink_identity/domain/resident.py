"""A resident as one facility knows them: booked, transferred away, released, booked again.

Resident ids are the facility's own, so one person moving between facilities is one aggregate at
each of them; a transfer books the resident at the destination as well.
"""

from __future__ import annotations

from enum import StrEnum
from uuid import UUID

from eventsourcing.domain import Aggregate
from eventsourcing.domain import event
from kinlink_kit.errors import AlreadyExists
from kinlink_kit.errors import FailedPrecondition
from kinlink_kit.errors import InvalidArgument
from kinlink_kit.errors import NotFound

from kinlink_identity.domain.ids import resident_id_of


class ResidentStatus(StrEnum):
    IN_CUSTODY = "in_custody"
    TRANSFERRED = "transferred"
    RELEASED = "released"


class ResidentNotFound(NotFound):
    def __init__(self) -> None:
        super().__init__("resident_not_found", "No such resident.")


class Resident(Aggregate):
    class Booked(Aggregate.Created):
        facility_id: str
        resident_id: str
        first_name: str
        last_name: str

    class Rebooked(Aggregate.Event):
        """Released or transferred away earlier, and held at the same facility again."""

        first_name: str
        last_name: str

    class Transferred(Aggregate.Event):
        to_facility_id: str
        to_resident_id: str

    class Released(Aggregate.Event):
        pass

    @staticmethod
    def create_id(facility_id: str, resident_id: str) -> UUID:
        return resident_id_of(facility_id, resident_id)

    @event(Booked)
    def __init__(self, facility_id: str, resident_id: str, first_name: str, last_name: str) -> None:
        self.facility_id = facility_id
        self.resident_id = resident_id
        self._held(first_name, last_name)

    def _held(self, first_name: str, last_name: str) -> None:
        self.first_name = first_name
        self.last_name = last_name
        self.status = ResidentStatus.IN_CUSTODY
        self.transferred_to_facility_id = ""
        self.transferred_to_resident_id = ""

    @property
    def in_custody(self) -> bool:
        return self.status is ResidentStatus.IN_CUSTODY

    def check_in_custody(self) -> None:
        if not self.in_custody:
            raise FailedPrecondition(
                "resident_not_in_custody",
                f"Resident {self.resident_id} is no longer held at {self.facility_id}.",
            )

    def rebook(self, first_name: str, last_name: str) -> None:
        if self.in_custody:
            raise AlreadyExists(
                "resident_already_booked",
                f"Resident {self.resident_id} is already held at {self.facility_id}.",
            )
        self._rebooked(first_name, last_name)

    @event(Rebooked)
    def _rebooked(self, first_name: str, last_name: str) -> None:
        self._held(first_name, last_name)

    def has_moved_to(self, to_facility_id: str, to_resident_id: str) -> bool:
        """Whether this very transfer was made already."""
        return self.status is ResidentStatus.TRANSFERRED and (
            self.transferred_to_facility_id,
            self.transferred_to_resident_id,
        ) == (to_facility_id, to_resident_id)

    def transfer(self, to_facility_id: str, to_resident_id: str) -> None:
        if to_facility_id == self.facility_id:
            raise InvalidArgument(
                "transfer_to_same_facility", "A transfer moves the resident to another facility."
            )
        self.check_in_custody()
        self._transferred(to_facility_id, to_resident_id)

    @event(Transferred)
    def _transferred(self, to_facility_id: str, to_resident_id: str) -> None:
        self.status = ResidentStatus.TRANSFERRED
        self.transferred_to_facility_id = to_facility_id
        self.transferred_to_resident_id = to_resident_id

    def release(self) -> None:
        """Release from custody; releasing a released resident again changes nothing."""
        if self.status is ResidentStatus.RELEASED:
            return
        self.check_in_custody()
        self._released()

    @event(Released)
    def _released(self) -> None:
        self.status = ResidentStatus.RELEASED

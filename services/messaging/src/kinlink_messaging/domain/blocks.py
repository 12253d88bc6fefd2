"""The residents a family account blocked: their replies are refused, and the account cannot
message them until it unblocks them."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from eventsourcing.domain import Aggregate
from eventsourcing.domain import event
from kinlink_kit.errors import FailedPrecondition

from kinlink_messaging.domain.ids import blocks_id


class ResidentBlocked(FailedPrecondition):
    def __init__(self) -> None:
        super().__init__(
            "resident_blocked", "This resident is blocked: unblock them to exchange messages."
        )


class Blocks(Aggregate):
    class Opened(Aggregate.Created):
        account_id: UUID

    class Blocked(Aggregate.Event):
        facility_id: str
        resident_id: str
        blocked_at: datetime

    class Unblocked(Aggregate.Event):
        facility_id: str
        resident_id: str
        unblocked_at: datetime

    @staticmethod
    def create_id(account_id: UUID, **_: object) -> UUID:
        return blocks_id(account_id)

    @event(Opened)
    def __init__(self, account_id: UUID) -> None:
        self.account_id = account_id
        # (facility id, resident id) -> when blocked
        self.blocked: dict[tuple[str, str], datetime] = {}

    def is_blocked(self, facility_id: str, resident_id: str) -> bool:
        return (facility_id, resident_id) in self.blocked

    def check_not_blocked(self, facility_id: str, resident_id: str) -> None:
        if self.is_blocked(facility_id, resident_id):
            raise ResidentBlocked()

    def block(self, facility_id: str, resident_id: str, at: datetime) -> None:
        if not self.is_blocked(facility_id, resident_id):
            self._blocked(facility_id, resident_id, at)

    @event(Blocked)
    def _blocked(self, facility_id: str, resident_id: str, blocked_at: datetime) -> None:
        self.blocked[(facility_id, resident_id)] = blocked_at

    def unblock(self, facility_id: str, resident_id: str, at: datetime) -> None:
        if self.is_blocked(facility_id, resident_id):
            self._unblocked(facility_id, resident_id, at)

    @event(Unblocked)
    def _unblocked(self, facility_id: str, resident_id: str, unblocked_at: datetime) -> None:
        del self.blocked[(facility_id, resident_id)]

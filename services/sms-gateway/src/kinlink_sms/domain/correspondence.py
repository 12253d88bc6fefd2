"""That a family member and a resident exchanged a message (delivered either way), as the
gateway recorded it from messaging's MessageDelivered: SMS are offered only to them."""

from __future__ import annotations

from uuid import UUID

from eventsourcing.domain import Aggregate
from eventsourcing.domain import event

from kinlink_sms.domain.ids import correspondence_id


class Correspondence(Aggregate):
    @staticmethod
    def create_id(account_id: UUID, facility_id: str, resident_id: str) -> UUID:
        return correspondence_id(account_id, facility_id, resident_id)

    @event("Recorded")
    def __init__(self, account_id: UUID, facility_id: str, resident_id: str) -> None:
        self.account_id = account_id
        self.facility_id = facility_id
        self.resident_id = resident_id

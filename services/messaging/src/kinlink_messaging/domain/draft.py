"""A family member's message not sent yet: saved, edited, deleted, or deleted by sending it."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from eventsourcing.domain import Aggregate
from eventsourcing.domain import event
from kinlink_kit.errors import NotFound

from kinlink_messaging.domain.message import MAX_BODY_CHARACTERS
from kinlink_messaging.domain.message import BodyTooLong


class DraftNotFound(NotFound):
    """Also what someone else's draft, or a deleted one, is to a caller."""

    def __init__(self) -> None:
        super().__init__("draft_not_found", "No such draft.")


def check_draft_body(body: str) -> None:
    # An empty draft is kept (it may be a note to finish later); only the length is a rule.
    if len(body) > MAX_BODY_CHARACTERS:
        raise BodyTooLong()


class Draft(Aggregate):
    class Saved(Aggregate.Created):
        account_id: UUID
        facility_id: str
        resident_id: str
        body: str
        saved_at: datetime

    class Edited(Aggregate.Event):
        body: str
        edited_at: datetime

    class Deleted(Aggregate.Event):
        deleted_at: datetime

    @event(Saved)
    def __init__(
        self, account_id: UUID, facility_id: str, resident_id: str, body: str, saved_at: datetime
    ) -> None:
        self.account_id = account_id
        self.facility_id = facility_id
        self.resident_id = resident_id
        self.body = body
        self.saved_at = saved_at
        self.deleted = False

    @classmethod
    def save(
        cls,
        draft_id: UUID,
        account_id: UUID,
        facility_id: str,
        resident_id: str,
        body: str,
        at: datetime,
    ) -> Draft:
        check_draft_body(body)
        return cls._create(
            cls.Saved,
            id=draft_id,
            account_id=account_id,
            facility_id=facility_id,
            resident_id=resident_id,
            body=body,
            saved_at=at,
        )

    def belongs_to(self, account_id: UUID) -> bool:
        return self.account_id == account_id and not self.deleted

    def edit(self, body: str, at: datetime) -> None:
        if self.deleted:
            raise DraftNotFound()
        check_draft_body(body)
        if body != self.body:
            self._edited(body, at)

    @event(Edited)
    def _edited(self, body: str, edited_at: datetime) -> None:
        self.body = body
        self.saved_at = edited_at

    def delete(self, at: datetime) -> None:
        if not self.deleted:
            self._deleted(at)

    @event(Deleted)
    def _deleted(self, deleted_at: datetime) -> None:
        self.deleted = True

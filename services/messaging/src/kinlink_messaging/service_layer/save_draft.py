"""SaveDraft: a family member keeps a message to a resident to finish later; saving it again
with its id edits it. Drafts are events in the store like messages: they survive restarts."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from kinlink_messaging.domain import ids
from kinlink_messaging.domain.draft import Draft
from kinlink_messaging.domain.draft import DraftNotFound
from kinlink_messaging.domain.message import ClientKeyMissing
from kinlink_messaging.service_layer.messaging import Messaging


@dataclass(frozen=True)
class SaveDraft:
    account_id: UUID
    facility_id: str
    resident_id: str
    body: str
    # The draft to edit; none: a new one, known by `client_key` (the same on a retry).
    draft_id: UUID | None = None
    client_key: str = ""


def save_draft(messaging: Messaging, command: SaveDraft) -> Draft:
    if command.draft_id is not None:
        draft_id = command.draft_id
    elif command.client_key.strip():
        draft_id = ids.draft_id(command.account_id, command.client_key)
        # A draft to someone unknown could never be sent.
        messaging.directory.resident(command.facility_id, command.resident_id)
    else:
        raise ClientKeyMissing()

    def saving(draft: Draft) -> Draft:
        if not draft.belongs_to(command.account_id):
            raise DraftNotFound()
        draft.edit(command.body, messaging.clock())
        return draft

    def new() -> Draft:
        if command.draft_id is not None:
            raise DraftNotFound()
        return Draft.save(
            draft_id,
            command.account_id,
            command.facility_id,
            command.resident_id,
            command.body,
            messaging.clock(),
        )

    return messaging.change(draft_id, Draft, saving, create=new)

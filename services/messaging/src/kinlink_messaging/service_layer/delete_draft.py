"""DeleteDraft: a family member throws a draft away (sending it does too)."""

from __future__ import annotations

from uuid import UUID

from kinlink_messaging.domain.draft import Draft
from kinlink_messaging.domain.draft import DraftNotFound
from kinlink_messaging.service_layer.messaging import Messaging


def delete_draft(messaging: Messaging, account_id: UUID, draft_id: UUID) -> None:
    def deleting(draft: Draft) -> None:
        if not draft.belongs_to(account_id):
            raise DraftNotFound()
        draft.delete(messaging.clock())

    messaging.change(draft_id, Draft, deleting, missing=DraftNotFound)

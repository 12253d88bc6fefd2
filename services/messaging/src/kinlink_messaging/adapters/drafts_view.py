"""A family member's drafts, the last saved first, page by page."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from kinlink_kit.projection import Projection
from kinlink_kit.views import ViewCursor

from kinlink_messaging.adapters.messages_view import instant
from kinlink_messaging.domain.draft import Draft


class DraftsProjection(Projection):
    name = "drafts"
    event_types = (Draft.Saved, Draft.Edited, Draft.Deleted)
    ddl = """
    CREATE TABLE IF NOT EXISTS drafts (
        draft_id TEXT PRIMARY KEY,
        version INTEGER NOT NULL,
        account_id TEXT NOT NULL,
        saved_at TEXT NOT NULL,
        deleted INTEGER NOT NULL  -- 0 or 1, alike on both stores
    );
    CREATE INDEX IF NOT EXISTS drafts_by_account ON drafts (account_id, saved_at, draft_id)
    """

    def apply(self, cursor: ViewCursor, domain_event: Any, position: int) -> None:
        row = {
            "draft_id": str(domain_event.originator_id),
            "version": domain_event.originator_version,
        }
        if isinstance(domain_event, Draft.Saved):
            cursor.execute(
                "INSERT INTO drafts (draft_id, version, account_id, saved_at, deleted) "
                "VALUES (:draft_id, :version, :account_id, :saved_at, 0) "
                "ON CONFLICT (draft_id) DO NOTHING",
                {
                    **row,
                    "account_id": str(domain_event.account_id),
                    "saved_at": instant(domain_event.saved_at),
                },
            )
        elif isinstance(domain_event, Draft.Edited):
            cursor.execute(
                "UPDATE drafts SET version = :version, saved_at = :saved_at "
                "WHERE draft_id = :draft_id AND version < :version",
                {**row, "saved_at": instant(domain_event.edited_at)},
            )
        else:
            cursor.execute(
                "UPDATE drafts SET version = :version, deleted = 1 "
                "WHERE draft_id = :draft_id AND version < :version",
                row,
            )

    def of_account(
        self, account_id: UUID, limit: int, after: tuple[str, str] | None = None
    ) -> list[tuple[str, UUID]]:
        """(saved at, draft id) of the account's drafts, the last saved first."""
        self.catch_up()
        resume = (
            "AND (saved_at < :saved_at OR (saved_at = :saved_at AND draft_id < :id)) "
            if after is not None
            else ""
        )
        rows = self.views.query(
            f"SELECT saved_at, draft_id FROM drafts WHERE account_id = :account_id "
            f"AND deleted = 0 {resume}ORDER BY saved_at DESC, draft_id DESC LIMIT :limit",
            {
                "account_id": str(account_id),
                "limit": limit,
                "saved_at": after[0] if after else None,
                "id": after[1] if after else None,
            },
        )
        return [(row["saved_at"], UUID(row["draft_id"])) for row in rows]

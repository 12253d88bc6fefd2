"""Which cards each account has added, in the order it added them.

Only the ids: the cards themselves (and whether they were removed since) are read from the
store, so this view never goes stale in what it shows.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from kinlink_kit.projection import Projection
from kinlink_kit.views import ViewCursor

from kinlink_identity.domain.card import Card


class CardList(Projection):
    name = "account_cards"
    event_types = (Card.Added,)
    ddl = """
    CREATE TABLE IF NOT EXISTS account_cards (
        card_id TEXT PRIMARY KEY,
        account_id TEXT NOT NULL,
        position BIGINT NOT NULL
    );
    CREATE INDEX IF NOT EXISTS account_cards_by_account ON account_cards (account_id, position)
    """

    def apply(self, cursor: ViewCursor, domain_event: Any, position: int) -> None:
        cursor.execute(
            "INSERT INTO account_cards (card_id, account_id, position) "
            "VALUES (:card_id, :account_id, :position) ON CONFLICT (card_id) DO NOTHING",
            {
                "card_id": str(domain_event.originator_id),
                "account_id": str(domain_event.account_id),
                "position": position,
            },
        )

    def card_ids(self, account_id: UUID) -> list[UUID]:
        self.catch_up()
        rows = self.views.query(
            "SELECT card_id FROM account_cards WHERE account_id = :account_id ORDER BY position",
            {"account_id": str(account_id)},
        )
        return [UUID(row["card_id"]) for row in rows]

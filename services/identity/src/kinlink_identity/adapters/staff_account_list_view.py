"""Which accounts are staff accounts (every role but family member), in the order they were
opened, for operators to browse.

Only the ids: the accounts themselves (names, email, status) are read from the store, so this
view never goes stale in what it shows. An account's roles never change once it is opened.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from kinlink_kit.auth import Role
from kinlink_kit.projection import Projection
from kinlink_kit.views import ViewCursor

from kinlink_identity.domain.account import Account


class StaffAccountList(Projection):
    name = "staff_accounts"
    event_types = (Account.Registered,)
    ddl = """
    CREATE TABLE IF NOT EXISTS staff_accounts (
        account_id TEXT PRIMARY KEY,
        position BIGINT NOT NULL UNIQUE
    )
    """

    def apply(self, cursor: ViewCursor, domain_event: Any, position: int) -> None:
        if Role.FAMILY_MEMBER in domain_event.roles:
            return
        cursor.execute(
            "INSERT INTO staff_accounts (account_id, position) VALUES (:account_id, :position) "
            "ON CONFLICT (account_id) DO NOTHING",
            {"account_id": str(domain_event.originator_id), "position": position},
        )

    def account_ids(self, *, after: int | None, limit: int) -> list[tuple[int, UUID]]:
        """Up to `limit` staff accounts as (position, id), after the one at `after` if given."""
        self.catch_up()
        rows = self.views.query(
            "SELECT position, account_id FROM staff_accounts WHERE position > :after "
            f"ORDER BY position LIMIT {int(limit)}",
            {"after": -1 if after is None else after},
        )
        return [(row["position"], UUID(row["account_id"])) for row in rows]

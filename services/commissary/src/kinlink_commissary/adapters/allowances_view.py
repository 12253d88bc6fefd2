"""Allowances by family member (newest first, page by page) and those whose period is over while
they still pay (for the period-end sweep); rows by the allowance's aggregate key
(`Allowance.create_id`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from kinlink_kit.projection import Projection
from kinlink_kit.views import ViewCursor
from kinlink_kit.views import instant

from kinlink_commissary.domain.allowance import Allowance
from kinlink_commissary.domain.allowance import AllowanceStatus


class AllowancesProjection(Projection):
    name = "allowances"
    event_types = (Allowance.Created, Allowance.Ended, Allowance.Settled)
    ddl = """
    CREATE TABLE IF NOT EXISTS allowances (
        allowance_key TEXT PRIMARY KEY,
        version INTEGER NOT NULL,
        account_id TEXT NOT NULL,
        facility_id TEXT NOT NULL,
        resident_id TEXT NOT NULL,
        status TEXT NOT NULL,
        created_at TEXT NOT NULL,
        period_ends_at TEXT NOT NULL
    );
    CREATE INDEX IF NOT EXISTS allowances_by_account
        ON allowances (account_id, created_at, allowance_key);
    CREATE INDEX IF NOT EXISTS allowances_by_period_end ON allowances (status, period_ends_at)
    """

    def apply(self, cursor: ViewCursor, domain_event: Any, position: int) -> None:
        row = {
            "allowance_key": str(domain_event.originator_id),
            "version": domain_event.originator_version,
        }
        if isinstance(domain_event, Allowance.Created):
            status = AllowanceStatus.ACTIVE if domain_event.held else AllowanceStatus.DECLINED
            cursor.execute(
                "INSERT INTO allowances (allowance_key, version, account_id, facility_id, "
                "resident_id, status, created_at, period_ends_at) VALUES (:allowance_key, "
                ":version, :account_id, :facility_id, :resident_id, :status, :created_at, "
                ":period_ends_at) ON CONFLICT (allowance_key) DO NOTHING",
                {
                    **row,
                    "account_id": str(domain_event.account_id),
                    "facility_id": domain_event.facility_id,
                    "resident_id": domain_event.resident_id,
                    "status": status.value,
                    "created_at": instant(domain_event.created_at),
                    "period_ends_at": instant(domain_event.period_ends_at),
                },
            )
            return
        status = (
            AllowanceStatus.ENDING
            if isinstance(domain_event, Allowance.Ended)
            else AllowanceStatus.ENDED
        )
        cursor.execute(
            "UPDATE allowances SET version = :version, status = :status "
            "WHERE allowance_key = :allowance_key AND version < :version",
            {**row, "status": status.value},
        )

    def of_account(
        self,
        account_id: UUID,
        facility_id: str,
        resident_id: str,
        limit: int,
        after: tuple[str, str] | None = None,
    ) -> list[tuple[str, UUID]]:
        """(created at, allowance id) of the account's allowances, optionally at one facility or
        for one resident, newest first."""
        self.catch_up()
        where = "account_id = :account_id"
        if facility_id:
            where += " AND facility_id = :facility_id"
        if resident_id:
            where += " AND resident_id = :resident_id"
        if after is not None:
            where += (
                " AND (created_at < :created_at OR "
                "(created_at = :created_at AND allowance_key < :id))"
            )
        rows = self.views.query(
            f"SELECT created_at, allowance_key FROM allowances WHERE {where} "
            "ORDER BY created_at DESC, allowance_key DESC LIMIT :limit",
            {
                "account_id": str(account_id),
                "facility_id": facility_id,
                "resident_id": resident_id,
                "limit": limit,
                "created_at": after[0] if after else None,
                "id": after[1] if after else None,
            },
        )
        return [(row["created_at"], UUID(row["allowance_key"])) for row in rows]

    def period_over(self, now: datetime, limit: int) -> list[UUID]:
        """Allowances still paying whose period ended by `now`, those ending first first."""
        self.catch_up()
        rows = self.views.query(
            "SELECT allowance_key FROM allowances WHERE status = :status "
            "AND period_ends_at <= :now ORDER BY period_ends_at, allowance_key LIMIT :limit",
            {"status": AllowanceStatus.ACTIVE.value, "now": instant(now), "limit": limit},
        )
        return [UUID(row["allowance_key"]) for row in rows]

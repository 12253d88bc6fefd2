"""The deposit history read model: one row per deposit, listed by depositor or by resident."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from kinlink_kit.projection import Projection
from kinlink_kit.views import Row
from kinlink_kit.views import ViewCursor

from kinlink_ledger.domain.deposit import Deposit
from kinlink_ledger.domain.deposit import DepositStatus

_UPDATE = (
    "UPDATE deposit_history SET {changes}, version = :version "
    "WHERE deposit_id = :deposit_id AND version < :version"
)


class DepositHistoryProjection(Projection):
    name = "deposit_history"
    event_types = (Deposit.Requested, Deposit.Captured, Deposit.Declined, Deposit.Posted)
    ddl = """
    CREATE TABLE IF NOT EXISTS deposit_history (
        deposit_id TEXT PRIMARY KEY,
        version BIGINT NOT NULL,
        position BIGINT NOT NULL,
        quote_id TEXT NOT NULL,
        facility_id TEXT NOT NULL,
        resident_id TEXT NOT NULL,
        depositor_id TEXT NOT NULL,
        amount BIGINT NOT NULL,
        fee BIGINT NOT NULL,
        week_start TEXT NOT NULL,
        requested_at TEXT NOT NULL,
        status TEXT NOT NULL,
        decline_reason TEXT,
        payment_reference TEXT,
        captured_at TEXT,
        posted_reference TEXT
    );
    CREATE INDEX IF NOT EXISTS deposit_history_by_depositor
        ON deposit_history (depositor_id, position);
    CREATE INDEX IF NOT EXISTS deposit_history_by_resident
        ON deposit_history (facility_id, resident_id, position)
    """

    def apply(self, cursor: ViewCursor, domain_event: Any, position: int) -> None:
        key = {"deposit_id": str(domain_event.originator_id)}
        version = {"version": domain_event.originator_version}
        if isinstance(domain_event, Deposit.Requested):
            cursor.execute(
                "INSERT INTO deposit_history (deposit_id, version, position, quote_id, "
                "facility_id, "
                "resident_id, depositor_id, amount, fee, week_start, requested_at, status) "
                "VALUES (:deposit_id, :version, :position, :quote_id, :facility_id, :resident_id, "
                ":depositor_id, :amount, :fee, :week_start, :requested_at, :status) "
                "ON CONFLICT (deposit_id) DO NOTHING",
                {
                    **key,
                    **version,
                    "position": position,
                    "quote_id": str(domain_event.quote_id),
                    "facility_id": domain_event.facility_id,
                    "resident_id": domain_event.resident_id,
                    "depositor_id": domain_event.depositor_id,
                    "amount": domain_event.amount,
                    "fee": domain_event.fee,
                    "week_start": domain_event.week_start,
                    "requested_at": domain_event.requested_at.isoformat(),
                    "status": DepositStatus.PENDING.value,
                },
            )
        elif isinstance(domain_event, Deposit.Captured):
            cursor.execute(
                _UPDATE.format(
                    changes="status = 'captured', payment_reference = :reference, "
                    "captured_at = :captured_at"
                ),
                {
                    **key,
                    **version,
                    "reference": domain_event.payment_reference,
                    "captured_at": domain_event.captured_at.isoformat(),
                },
            )
        elif isinstance(domain_event, Deposit.Declined):
            cursor.execute(
                _UPDATE.format(changes="status = 'declined', decline_reason = :reason"),
                {**key, **version, "reason": str(domain_event.reason)},
            )
        elif isinstance(domain_event, Deposit.Posted):
            cursor.execute(
                _UPDATE.format(changes="status = 'posted', posted_reference = :reference"),
                {**key, **version, "reference": domain_event.posted_reference},
            )

    def for_depositor(self, depositor_id: str) -> list[Row]:
        self.catch_up()
        return self.views.query(
            "SELECT * FROM deposit_history WHERE depositor_id = :depositor_id "
            "ORDER BY position DESC",
            {"depositor_id": depositor_id},
        )

    def for_depositor_to_resident(
        self, depositor_id: str, facility_id: str, resident_id: str
    ) -> list[Row]:
        self.catch_up()
        return self.views.query(
            "SELECT * FROM deposit_history WHERE depositor_id = :depositor_id "
            "AND facility_id = :facility_id AND resident_id = :resident_id "
            "ORDER BY position DESC",
            {"depositor_id": depositor_id, "facility_id": facility_id, "resident_id": resident_id},
        )

    def declined_since(self, depositor_id: str, since: datetime) -> set[str]:
        """The depositor's deposits requested since then and declined, at every facility."""
        self.catch_up()
        rows = self.views.query(
            "SELECT deposit_id FROM deposit_history "
            "WHERE depositor_id = :depositor_id AND requested_at >= :since "
            "AND status = 'declined'",
            {"depositor_id": depositor_id, "since": since.isoformat()},
        )
        return {row["deposit_id"] for row in rows}

    def for_resident(self, facility_id: str, resident_id: str) -> list[Row]:
        self.catch_up()
        return self.views.query(
            "SELECT * FROM deposit_history WHERE facility_id = :facility_id "
            "AND resident_id = :resident_id ORDER BY position DESC",
            {"facility_id": facility_id, "resident_id": resident_id},
        )

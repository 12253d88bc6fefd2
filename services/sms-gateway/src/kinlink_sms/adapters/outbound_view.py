"""Outbound SMS as the dispatcher and the settle sweep look for them: those due for an attempt,
those sent but not settled yet (no final report, or delivered and not yet charged), and what an
account's SMS under way will cost once delivered (the credit check counts it).

Rows carry each SMS's version: a projector of another replica that lags behind never brings
back an older status.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from kinlink_kit.projection import Projection
from kinlink_kit.views import ViewCursor
from kinlink_kit.views import instant

from kinlink_sms.domain.outbound_sms import OutboundSms
from kinlink_sms.domain.outbound_sms import OutboundStatus

# Sent (or being sent) and not charged yet: what the wallet may still have to pay.
_UNDER_WAY = "(status IN ('sending', 'sent') OR (status = 'delivered' AND paid = 0))"


# Every event of an outbound SMS's life.
OUTBOUND_EVENTS = (
    OutboundSms.Queued,
    OutboundSms.AttemptStarted,
    OutboundSms.Sent,
    OutboundSms.AttemptFailed,
    OutboundSms.Failed,
    OutboundSms.Delivered,
    OutboundSms.Paid,
    OutboundSms.NotSent,
)


class OutboundProjection(Projection):
    name = "outbound_sms"
    event_types = OUTBOUND_EVENTS
    ddl = """
    CREATE TABLE IF NOT EXISTS outbound_sms (
        sms_id TEXT PRIMARY KEY,
        version INTEGER NOT NULL,
        account_id TEXT NOT NULL,
        status TEXT NOT NULL,
        since TEXT NOT NULL,
        price_cents INTEGER NOT NULL,
        paid INTEGER NOT NULL
    );
    CREATE INDEX IF NOT EXISTS outbound_sms_by_status ON outbound_sms (status, since);
    CREATE INDEX IF NOT EXISTS outbound_sms_by_account ON outbound_sms (account_id, status)
    """

    def apply(self, cursor: ViewCursor, domain_event: Any, position: int) -> None:
        row = {
            "sms_id": str(domain_event.originator_id),
            "version": domain_event.originator_version,
        }
        if isinstance(domain_event, OutboundSms.Queued):
            cursor.execute(
                "INSERT INTO outbound_sms (sms_id, version, account_id, status, since, "
                "price_cents, paid) VALUES (:sms_id, :version, :account_id, :status, :since, 0, 0) "
                "ON CONFLICT (sms_id) DO NOTHING",
                {
                    **row,
                    "account_id": str(domain_event.account_id),
                    "status": OutboundStatus.QUEUED.value,
                    "since": instant(domain_event.queued_at),
                },
            )
            return
        changes = _changes(domain_event)
        assignments = ", ".join(f"{column} = :{column}" for column in changes)
        cursor.execute(
            f"UPDATE outbound_sms SET version = :version, {assignments} "
            "WHERE sms_id = :sms_id AND version < :version",
            {**row, **changes},
        )

    def due(self, now: datetime) -> list[UUID]:
        """SMS whose (next) attempt is due by `now`, the longest waiting first."""
        return self._ids("status = 'queued' AND since <= :at", now)

    def unsettled(self, since_by: datetime) -> list[UUID]:
        """SMS sent (or being sent) without a final report, or delivered and not charged, for
        longer than since `since_by`, oldest first."""
        return self._ids(f"{_UNDER_WAY} AND since <= :at", since_by)

    def under_way_cents(self, account_id: UUID, besides: UUID) -> int:
        """What the account's SMS under way (other than `besides`) cost once delivered."""
        self.catch_up()
        rows = self.views.query(
            "SELECT COALESCE(SUM(price_cents), 0) AS cents FROM outbound_sms "
            f"WHERE account_id = :account_id AND sms_id <> :besides AND {_UNDER_WAY}",
            {"account_id": str(account_id), "besides": str(besides)},
        )
        return int(rows[0]["cents"])

    def _ids(self, condition: str, at: datetime) -> list[UUID]:
        self.catch_up()
        rows = self.views.query(
            f"SELECT sms_id FROM outbound_sms WHERE {condition} ORDER BY since, sms_id",
            {"at": instant(at)},
        )
        return [UUID(row["sms_id"]) for row in rows]


def _changes(domain_event: Any) -> dict[str, Any]:
    """The columns a (non-creating) event sets."""
    if isinstance(domain_event, OutboundSms.AttemptStarted):
        return {
            "status": OutboundStatus.SENDING.value,
            "since": instant(domain_event.started_at),
            "price_cents": domain_event.price_cents,
        }
    if isinstance(domain_event, OutboundSms.Sent):
        return {"status": OutboundStatus.SENT.value, "since": instant(domain_event.sent_at)}
    if isinstance(domain_event, OutboundSms.AttemptFailed):
        return {"status": OutboundStatus.QUEUED.value, "since": instant(domain_event.retry_at)}
    if isinstance(domain_event, OutboundSms.Delivered):
        return {
            "status": OutboundStatus.DELIVERED.value,
            "since": instant(domain_event.delivered_at),
        }
    if isinstance(domain_event, OutboundSms.Paid):
        return {"paid": 1}
    if isinstance(domain_event, OutboundSms.Failed):
        return {"status": OutboundStatus.FAILED.value}
    return {"status": OutboundStatus.NOT_SENT.value}

"""The SMS history: every SMS sent to or received from a family member's phone, per account,
with its body, resident, segments, encoding, pictures, amount, status and failure reason,
listed for 14 days after it was received (336 hours, an instant), then no longer.

A resident's message is received by the gateway when it is queued (OutboundSms); a family
member's SMS when the webhook brings it (InboundSms). Rows carry each SMS's version: a projector
of another replica that lags behind never brings back an older status.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from datetime import timedelta
from enum import StrEnum
from typing import Any
from uuid import UUID

from kinlink_kit.projection import Projection
from kinlink_kit.views import ViewCursor
from kinlink_kit.views import instant

from kinlink_sms.adapters.outbound_view import OUTBOUND_EVENTS
from kinlink_sms.domain.inbound_sms import InboundSms
from kinlink_sms.domain.outbound_sms import OutboundSms

# An instant, not "14 calendar days" in anyone's time zone.
KEPT_FOR = timedelta(hours=336)


class HistoryDirection(StrEnum):
    TO_PHONE = "to_phone"  # a resident's message sent to the family member's phone
    FROM_PHONE = "from_phone"  # the family member's SMS reply to a resident


class HistoryStatus(StrEnum):
    QUEUED = "queued"
    SENT = "sent"
    DELIVERED = "delivered"
    FAILED = "failed"
    NOT_SENT = "not_sent"


@dataclass(frozen=True)
class HistoryEntry:
    sms_id: UUID
    direction: HistoryDirection
    facility_id: str
    resident_id: str
    message_id: UUID | None
    body: str
    segments: int
    encoding: str
    pictures: int
    amount_cents: int
    status: HistoryStatus
    failure_reason: str
    received_at: datetime
    expires_at: datetime


class SmsHistoryProjection(Projection):
    name = "sms_history"
    event_types = (
        *OUTBOUND_EVENTS,
        InboundSms.Received,
        InboundSms.PassedOn,
        InboundSms.Refused,
    )
    ddl = """
    CREATE TABLE IF NOT EXISTS sms_history (
        sms_id TEXT PRIMARY KEY,
        version INTEGER NOT NULL,
        account_id TEXT NOT NULL,
        direction TEXT NOT NULL,
        facility_id TEXT NOT NULL,
        resident_id TEXT NOT NULL,
        message_id TEXT,
        body TEXT NOT NULL,
        segments INTEGER NOT NULL,
        encoding TEXT NOT NULL,
        pictures INTEGER NOT NULL,
        amount_cents INTEGER NOT NULL,
        status TEXT NOT NULL,
        failure_reason TEXT NOT NULL,
        received_at TEXT NOT NULL,
        expires_at TEXT NOT NULL
    );
    CREATE INDEX IF NOT EXISTS sms_history_by_account
        ON sms_history (account_id, received_at, sms_id)
    """

    def apply(self, cursor: ViewCursor, domain_event: Any, position: int) -> None:
        row = {
            "sms_id": str(domain_event.originator_id),
            "version": domain_event.originator_version,
        }
        created = _created(domain_event)
        if created is not None:
            received_at = created.pop("received_at")
            cursor.execute(
                "INSERT INTO sms_history (sms_id, version, account_id, direction, facility_id, "
                "resident_id, message_id, body, segments, encoding, pictures, amount_cents, "
                "status, failure_reason, received_at, expires_at) VALUES (:sms_id, :version, "
                ":account_id, :direction, :facility_id, :resident_id, :message_id, :body, "
                ":segments, :encoding, :pictures, 0, :status, '', :received_at, :expires_at) "
                "ON CONFLICT (sms_id) DO NOTHING",
                {
                    **row,
                    **created,
                    "account_id": str(domain_event.account_id),
                    "facility_id": domain_event.facility_id,
                    "resident_id": domain_event.resident_id,
                    "received_at": instant(received_at),
                    "expires_at": instant(received_at + KEPT_FOR),
                },
            )
            return
        changes = _changes(domain_event)
        assignments = ", ".join(f"{column} = :{column}" for column in changes)
        cursor.execute(
            f"UPDATE sms_history SET version = :version, {assignments} "
            "WHERE sms_id = :sms_id AND version < :version",
            {**row, **changes},
        )

    def listed(
        self, account_id: UUID, now: datetime, limit: int, after: tuple[str, str] | None = None
    ) -> list[tuple[str, HistoryEntry]]:
        """(received at, entry) of the account's SMS not expired at `now`, newest first, after
        the row `after` names (received at, sms id)."""
        self.catch_up()
        resume = (
            "AND (received_at < :received_at OR (received_at = :received_at AND sms_id < :id)) "
            if after is not None
            else ""
        )
        rows = self.views.query(
            "SELECT * FROM sms_history WHERE account_id = :account_id AND expires_at > :now "
            f"{resume}ORDER BY received_at DESC, sms_id DESC LIMIT :limit",
            {
                "account_id": str(account_id),
                "now": instant(now),
                "limit": limit,
                "received_at": after[0] if after else None,
                "id": after[1] if after else None,
            },
        )
        return [(row["received_at"], _entry(row)) for row in rows]


def _created(domain_event: Any) -> dict[str, Any] | None:
    """The columns of a new row, with `received_at` (a datetime), or None for a change."""
    if isinstance(domain_event, OutboundSms.Queued):
        return {
            "direction": HistoryDirection.TO_PHONE.value,
            "message_id": str(domain_event.message_id),
            "body": "",
            "segments": 0,
            "encoding": "",
            "pictures": 0,
            "status": HistoryStatus.QUEUED.value,
            "received_at": domain_event.queued_at,
        }
    if isinstance(domain_event, InboundSms.Received):
        return {
            "direction": HistoryDirection.FROM_PHONE.value,
            "message_id": None,
            "body": domain_event.body,
            "segments": domain_event.segments,
            "encoding": domain_event.encoding,
            "pictures": domain_event.pictures,
            "status": HistoryStatus.QUEUED.value,
            "received_at": domain_event.received_at,
        }
    return None


def _changes(domain_event: Any) -> dict[str, Any]:
    """The columns a (non-creating) event sets."""
    if isinstance(domain_event, OutboundSms.AttemptStarted):
        return {
            "status": HistoryStatus.QUEUED.value,
            "body": domain_event.body,
            "segments": domain_event.segments,
            "encoding": domain_event.encoding,
            "pictures": domain_event.pictures,
        }
    if isinstance(domain_event, OutboundSms.Paid | InboundSms.PassedOn):
        return {"status": HistoryStatus.DELIVERED.value, "amount_cents": domain_event.amount_cents}
    if isinstance(domain_event, OutboundSms.Failed):
        return {"status": HistoryStatus.FAILED.value, "failure_reason": domain_event.reason}
    if isinstance(domain_event, OutboundSms.NotSent | InboundSms.Refused):
        return {"status": HistoryStatus.NOT_SENT.value, "failure_reason": domain_event.reason}
    statuses = {
        OutboundSms.Sent: HistoryStatus.SENT,
        OutboundSms.AttemptFailed: HistoryStatus.QUEUED,
        OutboundSms.Delivered: HistoryStatus.DELIVERED,
    }
    return {"status": statuses[type(domain_event)].value}


def _entry(row: dict[str, Any]) -> HistoryEntry:
    return HistoryEntry(
        sms_id=UUID(row["sms_id"]),
        direction=HistoryDirection(row["direction"]),
        facility_id=row["facility_id"],
        resident_id=row["resident_id"],
        message_id=UUID(row["message_id"]) if row["message_id"] else None,
        body=row["body"],
        segments=row["segments"],
        encoding=row["encoding"],
        pictures=row["pictures"],
        amount_cents=row["amount_cents"],
        status=HistoryStatus(row["status"]),
        failure_reason=row["failure_reason"],
        received_at=datetime.fromisoformat(row["received_at"]),
        expires_at=datetime.fromisoformat(row["expires_at"]),
    )

"""Every message's place in lists: a family member's inbox and sent folder (newest first, page
by page), the messages awaiting their payment (the payment sweep) and the read ones whose expiry
has come (the expiry job).

Rows carry each message's version: a projector of another replica that lags behind never
brings back an older status.
"""

from __future__ import annotations

from datetime import UTC
from datetime import datetime
from typing import Any
from uuid import UUID

from kinlink_kit.projection import Projection
from kinlink_kit.views import ViewCursor

from kinlink_messaging.domain.message import Direction
from kinlink_messaging.domain.message import Message
from kinlink_messaging.domain.message import MessageStatus

# What a family member sees of their own messages in each folder.
INBOX_STATUSES = (MessageStatus.DELIVERED, MessageStatus.READ, MessageStatus.EXPIRED)
SENT_STATUSES = (
    MessageStatus.PENDING_REVIEW,
    MessageStatus.APPROVED,
    MessageStatus.REJECTED,
    MessageStatus.DELIVERED,
    MessageStatus.READ,
    MessageStatus.EXPIRED,
)


def instant(at: datetime) -> str:
    """A UTC instant as text that sorts as time does (always with microseconds)."""
    return at.astimezone(UTC).isoformat(timespec="microseconds")


class MessagesProjection(Projection):
    name = "messages"
    event_types = (
        Message.Started,
        Message.Restarted,
        Message.Submitted,
        Message.Approved,
        Message.Rejected,
        Message.Delivered,
        Message.Read,
        Message.Expired,
        Message.Abandoned,
    )
    ddl = """
    CREATE TABLE IF NOT EXISTS messages (
        message_id TEXT PRIMARY KEY,
        version INTEGER NOT NULL,
        direction TEXT NOT NULL,
        account_id TEXT NOT NULL,
        facility_id TEXT NOT NULL,
        resident_id TEXT NOT NULL,
        status TEXT NOT NULL,
        started_at TEXT NOT NULL,
        submitted_at TEXT,
        expires_at TEXT
    );
    CREATE INDEX IF NOT EXISTS messages_by_account
        ON messages (account_id, direction, started_at, message_id);
    CREATE INDEX IF NOT EXISTS messages_by_status ON messages (status, started_at);
    CREATE INDEX IF NOT EXISTS messages_in_review
        ON messages (facility_id, submitted_at) WHERE status = 'pending_review'
    """

    def apply(self, cursor: ViewCursor, domain_event: Any, position: int) -> None:
        if isinstance(domain_event, Message.Started):
            cursor.execute(
                "INSERT INTO messages (message_id, version, direction, account_id, facility_id, "
                "resident_id, status, started_at) VALUES (:message_id, :version, :direction, "
                ":account_id, :facility_id, :resident_id, :status, :started_at) "
                "ON CONFLICT (message_id) DO NOTHING",
                {
                    "message_id": str(domain_event.originator_id),
                    "version": domain_event.originator_version,
                    "direction": domain_event.direction,
                    "account_id": str(domain_event.account_id),
                    "facility_id": domain_event.facility_id,
                    "resident_id": domain_event.resident_id,
                    "status": MessageStatus.AWAITING_PAYMENT.value,
                    "started_at": instant(domain_event.started_at),
                },
            )
            return
        status, changes = _changes(domain_event)
        assignments = "".join(f", {column} = :{column}" for column in changes)
        cursor.execute(
            f"UPDATE messages SET version = :version, status = :status{assignments} "
            "WHERE message_id = :message_id AND version < :version",
            {
                "message_id": str(domain_event.originator_id),
                "version": domain_event.originator_version,
                "status": status.value,
                **changes,
            },
        )

    def folder(
        self,
        account_id: UUID,
        direction: Direction,
        limit: int,
        after: tuple[str, str] | None = None,
    ) -> list[tuple[str, UUID]]:
        """(started at, message id) of the account's messages one way, newest first, after
        the row `after` names."""
        self.catch_up()
        statuses = INBOX_STATUSES if direction is Direction.FROM_RESIDENT else SENT_STATUSES
        shown = ", ".join(f"'{status.value}'" for status in statuses)
        resume = (
            "AND (started_at < :started_at OR (started_at = :started_at AND message_id < :id)) "
            if after is not None
            else ""
        )
        rows = self.views.query(
            "SELECT started_at, message_id FROM messages WHERE account_id = :account_id "
            f"AND direction = :direction AND status IN ({shown}) {resume}"
            "ORDER BY started_at DESC, message_id DESC LIMIT :limit",
            {
                "account_id": str(account_id),
                "direction": direction.value,
                "limit": limit,
                "started_at": after[0] if after else None,
                "id": after[1] if after else None,
            },
        )
        return [(row["started_at"], UUID(row["message_id"])) for row in rows]

    def awaiting_payment(self, started_by: datetime) -> list[UUID]:
        """Messages started by then and still awaiting their payment, oldest first."""
        self.catch_up()
        rows = self.views.query(
            "SELECT message_id FROM messages WHERE status = :status "
            "AND started_at <= :before ORDER BY started_at",
            {"status": MessageStatus.AWAITING_PAYMENT.value, "before": instant(started_by)},
        )
        return [UUID(row["message_id"]) for row in rows]

    def expired_unrecorded(self, now: datetime) -> list[UUID]:
        """Read messages whose expiry has come and is not recorded yet, oldest first."""
        self.catch_up()
        rows = self.views.query(
            "SELECT message_id FROM messages WHERE status = :status AND expires_at <= :now "
            "ORDER BY expires_at",
            {"status": MessageStatus.READ.value, "now": instant(now)},
        )
        return [UUID(row["message_id"]) for row in rows]


def _changes(domain_event: Any) -> tuple[MessageStatus, dict[str, str]]:
    """The status a (non-creating) event leaves and the columns it sets."""
    if isinstance(domain_event, Message.Restarted):
        return MessageStatus.AWAITING_PAYMENT, {"started_at": instant(domain_event.started_at)}
    if isinstance(domain_event, Message.Submitted):
        return MessageStatus.PENDING_REVIEW, {"submitted_at": instant(domain_event.submitted_at)}
    if isinstance(domain_event, Message.Read):
        expires_at = Message.expiry_of(domain_event.read_at)
        return MessageStatus.READ, {"expires_at": instant(expires_at)}
    statuses: dict[type, MessageStatus] = {
        Message.Approved: MessageStatus.APPROVED,
        Message.Rejected: MessageStatus.REJECTED,
        Message.Delivered: MessageStatus.DELIVERED,
        Message.Expired: MessageStatus.EXPIRED,
        Message.Abandoned: MessageStatus.ABANDONED,
    }
    return statuses[type(domain_event)], {}

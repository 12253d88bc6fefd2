"""What officers and facility systems ask of the messages' read model (MessagesProjection's
table): a facility's review queue, a resident's messages both ways, and whether a family
account and a resident have corresponded."""

from __future__ import annotations

from uuid import UUID

from kinlink_messaging.adapters.messages_view import MessagesProjection
from kinlink_messaging.domain.message import Direction
from kinlink_messaging.domain.message import MessageStatus

# A resident sees what was sent to them once delivered, and every reply they sent (a reply is
# submitted as it is posted: it never awaits a payment).
_SHOWN_TO_RESIDENT = {
    Direction.TO_RESIDENT: (MessageStatus.DELIVERED, MessageStatus.READ, MessageStatus.EXPIRED),
    Direction.FROM_RESIDENT: tuple(
        status
        for status in MessageStatus
        if status not in (MessageStatus.AWAITING_PAYMENT, MessageStatus.ABANDONED)
    ),
}


def review_queue(
    messages: MessagesProjection,
    facility_id: str,
    limit: int,
    after: tuple[str, str] | None = None,
) -> list[tuple[str, UUID]]:
    """(submitted at, message id) of the facility's messages awaiting review, oldest first,
    after the row `after` names."""
    messages.catch_up()
    resume = (
        "AND (submitted_at > :submitted_at OR (submitted_at = :submitted_at AND message_id > :id)) "
        if after is not None
        else ""
    )
    rows = messages.views.query(
        "SELECT submitted_at, message_id FROM messages WHERE facility_id = :facility_id "
        f"AND status = :status {resume}ORDER BY submitted_at, message_id LIMIT :limit",
        {
            "facility_id": facility_id,
            "status": MessageStatus.PENDING_REVIEW.value,
            "limit": limit,
            "submitted_at": after[0] if after else None,
            "id": after[1] if after else None,
        },
    )
    return [(row["submitted_at"], UUID(row["message_id"])) for row in rows]


def have_corresponded(
    messages: MessagesProjection, account_id: UUID, facility_id: str, resident_id: str
) -> bool:
    """Whether a message between them was ever accepted, either way."""
    messages.catch_up()
    rows = messages.views.query(
        "SELECT 1 AS found FROM messages WHERE account_id = :account_id "
        "AND facility_id = :facility_id AND resident_id = :resident_id "
        "AND submitted_at IS NOT NULL LIMIT 1",
        {"account_id": str(account_id), "facility_id": facility_id, "resident_id": resident_id},
    )
    return bool(rows)


def resident_messages(
    messages: MessagesProjection,
    facility_id: str,
    resident_id: str,
    limit: int,
    after: tuple[str, str] | None = None,
) -> list[tuple[str, UUID]]:
    """(started at, message id) of the messages to and from a resident the resident may see,
    newest first, after the row `after` names."""
    messages.catch_up()
    shown = " OR ".join(
        f"(direction = '{direction.value}' AND status IN "
        f"({', '.join(repr(status.value) for status in statuses)}))"
        for direction, statuses in _SHOWN_TO_RESIDENT.items()
    )
    resume = (
        "AND (started_at < :started_at OR (started_at = :started_at AND message_id < :id)) "
        if after is not None
        else ""
    )
    rows = messages.views.query(
        "SELECT started_at, message_id FROM messages WHERE facility_id = :facility_id "
        f"AND resident_id = :resident_id AND ({shown}) {resume}"
        "ORDER BY started_at DESC, message_id DESC LIMIT :limit",
        {
            "facility_id": facility_id,
            "resident_id": resident_id,
            "limit": limit,
            "started_at": after[0] if after else None,
            "id": after[1] if after else None,
        },
    )
    return [(row["started_at"], UUID(row["message_id"])) for row in rows]

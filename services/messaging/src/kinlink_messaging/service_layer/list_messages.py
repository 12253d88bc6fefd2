"""ListInbox and ListSent: a family member's replies received and messages sent, newest first,
page by page, each with its status (pending review, approved, rejected with the officer's
reason, delivered, read, expired)."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from kinlink_kit.paging import Page
from kinlink_kit.paging import checked_page_size
from kinlink_kit.paging import page_of
from kinlink_kit.paging import sort_key_of

from kinlink_messaging.domain.message import Direction
from kinlink_messaging.domain.message import Message
from kinlink_messaging.service_layer.messaging import Messaging


@dataclass(frozen=True)
class ListMessages:
    account_id: UUID
    page_size: int
    page_token: str = ""


def list_inbox(messaging: Messaging, command: ListMessages) -> Page[Message]:
    return _folder(messaging, command, Direction.FROM_RESIDENT)


def list_sent(messaging: Messaging, command: ListMessages) -> Page[Message]:
    return _folder(messaging, command, Direction.TO_RESIDENT)


def _folder(messaging: Messaging, command: ListMessages, direction: Direction) -> Page[Message]:
    page_size = checked_page_size(command.page_size)
    after = sort_key_of(command.page_token, (str, str))
    listed = messaging.views.messages.folder(
        command.account_id, direction, page_size + 1, (after[0], after[1]) if after else None
    )
    page = page_of(listed, page_size, lambda row: (row[0], str(row[1])))
    return Page(
        [messaging.message_of(command.account_id, message_id) for _, message_id in page.rows],
        page.next_page_token,
    )

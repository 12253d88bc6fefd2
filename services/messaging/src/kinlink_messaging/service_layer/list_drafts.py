"""ListDrafts: a family member's drafts, the last saved first, page by page."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from kinlink_kit.paging import Page
from kinlink_kit.paging import checked_page_size
from kinlink_kit.paging import page_of
from kinlink_kit.paging import sort_key_of

from kinlink_messaging.domain.draft import Draft
from kinlink_messaging.service_layer.messaging import Messaging


@dataclass(frozen=True)
class ListDrafts:
    account_id: UUID
    page_size: int
    page_token: str = ""


def list_drafts(messaging: Messaging, command: ListDrafts) -> Page[Draft]:
    page_size = checked_page_size(command.page_size)
    after = sort_key_of(command.page_token, (str, str))
    listed = messaging.views.drafts.of_account(
        command.account_id, page_size + 1, (after[0], after[1]) if after else None
    )
    page = page_of(listed, page_size, lambda row: (row[0], str(row[1])))
    return Page(
        [messaging.draft_of(command.account_id, draft_id) for _, draft_id in page.rows],
        page.next_page_token,
    )

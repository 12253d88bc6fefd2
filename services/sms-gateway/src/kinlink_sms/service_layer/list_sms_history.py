"""ListSmsHistory: the SMS sent to and received from a family member's phone, newest first,
page by page; each is listed for 14 days after it was received (to the instant), then no
longer, whatever the time the request comes at (the clock is the application's)."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from kinlink_kit.paging import Page
from kinlink_kit.paging import checked_page_size
from kinlink_kit.paging import page_of
from kinlink_kit.paging import sort_key_of

from kinlink_sms.adapters.sms_history_view import HistoryEntry
from kinlink_sms.service_layer.gateway import SmsGateway


@dataclass(frozen=True)
class ListSmsHistory:
    account_id: UUID
    page_size: int
    page_token: str = ""


def list_sms_history(gateway: SmsGateway, command: ListSmsHistory) -> Page[HistoryEntry]:
    page_size = checked_page_size(command.page_size)
    after = sort_key_of(command.page_token, (str, str))
    listed = gateway.views.history.listed(
        command.account_id,
        gateway.clock(),
        page_size + 1,
        (after[0], after[1]) if after else None,
    )
    page = page_of(listed, page_size, lambda row: (row[0], str(row[1].sms_id)))
    return Page([entry for _, entry in page.rows], page.next_page_token)

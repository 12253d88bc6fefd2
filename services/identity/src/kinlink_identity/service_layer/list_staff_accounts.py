"""ListStaffAccounts: operators browse the staff accounts (to close one when its holder
leaves), oldest first, page by page."""

from __future__ import annotations

from dataclasses import dataclass

from kinlink_kit.paging import Page
from kinlink_kit.paging import checked_page_size
from kinlink_kit.paging import page_of
from kinlink_kit.paging import sort_key_of

from kinlink_identity.domain.account import Account
from kinlink_identity.service_layer.identity import Identity


@dataclass(frozen=True)
class ListStaffAccounts:
    page_size: int
    page_token: str = ""


def list_staff_accounts(identity: Identity, command: ListStaffAccounts) -> Page[Account]:
    page_size = checked_page_size(command.page_size)
    after = sort_key_of(command.page_token, (int,))
    listed = identity.staff_accounts.account_ids(
        after=after[0] if after else None, limit=page_size + 1
    )
    page = page_of(listed, page_size, lambda row: (row[0],))
    return Page([identity.account(account_id) for _, account_id in page.rows], page.next_page_token)

"""ListAllowances: a family member's allowances (optionally at one facility, for one resident),
newest first, page by page: their uses, what was captured and released, the receipt."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from kinlink_kit.paging import Page
from kinlink_kit.paging import checked_page_size
from kinlink_kit.paging import page_of
from kinlink_kit.paging import sort_key_of

from kinlink_commissary.domain.allowance import Allowance
from kinlink_commissary.service_layer.commissary import Commissary


@dataclass(frozen=True)
class ListAllowances:
    account_id: UUID
    facility_id: str = ""
    resident_id: str = ""
    page_size: int = 20
    page_token: str = ""


def list_allowances(commissary: Commissary, query: ListAllowances) -> Page[Allowance]:
    page_size = checked_page_size(query.page_size)
    after = sort_key_of(query.page_token, (str, str))
    listed = commissary.views.allowances.of_account(
        query.account_id,
        query.facility_id,
        query.resident_id,
        page_size + 1,
        (after[0], after[1]) if after else None,
    )
    page = page_of(listed, page_size, lambda row: (row[0], str(row[1])))
    allowances = [commissary.find(key, Allowance) for _, key in page.rows]
    return Page([a for a in allowances if a is not None], page.next_page_token)

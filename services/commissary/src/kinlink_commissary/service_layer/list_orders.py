"""ListOrders: a family member's Commissary Pack History (their own orders, optionally of one
facility or resident), or a facility's orders for its staff and operators; newest first, page
by page, each with its status."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from kinlink_kit.auth import Principal
from kinlink_kit.auth import Role
from kinlink_kit.errors import InvalidArgument
from kinlink_kit.paging import Page
from kinlink_kit.paging import checked_page_size
from kinlink_kit.paging import page_of
from kinlink_kit.paging import sort_key_of

from kinlink_commissary.domain.order import Order
from kinlink_commissary.service_layer.commissary import Commissary


class FacilityIdMissing(InvalidArgument):
    def __init__(self) -> None:
        super().__init__("facility_id_missing", "Name the facility whose orders to list.")


@dataclass(frozen=True)
class ListOrders:
    facility_id: str
    resident_id: str
    page_size: int
    page_token: str = ""


def list_orders(commissary: Commissary, principal: Principal, command: ListOrders) -> Page[Order]:
    page_size = checked_page_size(command.page_size)
    after = sort_key_of(command.page_token, (str, str))
    resume = (after[0], after[1]) if after else None
    orders = commissary.views.orders
    if principal.has(Role.FAMILY_MEMBER):
        listed = orders.of_account(
            UUID(principal.account_id),
            command.facility_id,
            command.resident_id,
            page_size + 1,
            resume,
        )
    else:
        if not command.facility_id:
            raise FacilityIdMissing()
        principal.require_facility(command.facility_id)
        listed = orders.of_facility(command.facility_id, command.resident_id, page_size + 1, resume)
    page = page_of(listed, page_size, lambda row: (row[0], str(row[1])))
    return Page(
        [commissary.store.repository.get(order_id) for _, order_id in page.rows],
        page.next_page_token,
    )

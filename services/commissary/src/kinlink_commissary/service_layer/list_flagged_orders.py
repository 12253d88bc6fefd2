"""ListFlaggedOrders: the orders support or the facility must look at, the longest waiting first:
overdue (paid, not delivered a week later) and those whose resident left before delivery, until
the facility's decision is recorded. Operators see every facility's; an officer names theirs."""

from __future__ import annotations

from dataclasses import dataclass

from kinlink_kit.auth import Principal
from kinlink_kit.auth import Role
from kinlink_kit.errors import InvalidArgument
from kinlink_kit.paging import Page
from kinlink_kit.paging import checked_page_size
from kinlink_kit.paging import page_of
from kinlink_kit.paging import sort_key_of

from kinlink_commissary.domain.order import Order
from kinlink_commissary.service_layer.commissary import Commissary


@dataclass(frozen=True)
class ListFlaggedOrders:
    facility_id: str  # empty: every facility (operators only)
    page_size: int
    page_token: str = ""


def list_flagged_orders(
    commissary: Commissary, staff: Principal, command: ListFlaggedOrders
) -> Page[Order]:
    if command.facility_id:
        staff.require_facility(command.facility_id)
    elif not staff.has(Role.OPERATOR):
        raise InvalidArgument("facility_id_required", "Name the facility whose orders to list.")
    page_size = checked_page_size(command.page_size)
    after = sort_key_of(command.page_token, (str, str))
    rows = commissary.views.fulfilment.flagged(command.facility_id or None, page_size + 1, after)
    page = page_of(rows, page_size, lambda row: (row[0], str(row[1])))
    orders = (commissary.find(order_id, Order, to_change=False) for _, order_id in page.rows)
    return Page([order for order in orders if order is not None], page.next_page_token)

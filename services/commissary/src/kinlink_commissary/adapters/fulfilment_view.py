"""What fulfilment must find without reading every order, from the orders' view: a resident's
open orders when they leave the facility, and the support list of flagged orders
(ListFlaggedOrders).

An order is flagged while support or the facility has something to do: overdue and not yet
delivered, or its resident gone and the facility's decision not yet recorded.
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from kinlink_commissary.adapters.orders_view import OrdersProjection
from kinlink_commissary.domain.order import Fulfilment
from kinlink_commissary.domain.order import OrderStatus

# Of a resident who leaves, these orders change: not yet paid (cancelled) or paid and on the way.
_STILL_OPEN = (OrderStatus.INCOMPLETE, OrderStatus.READY_TO_PROCESS, OrderStatus.PAID)
_DELIVERED = f"'{Fulfilment.DELIVERED.value}'"
_FLAGGED = (
    f"(flagged_at IS NOT NULL AND fulfilment <> {_DELIVERED} AND resident_left_at IS NULL) "
    "OR (resident_left_at IS NOT NULL AND decided_at IS NULL)"
)


@dataclass
class FulfilmentView:
    orders: OrdersProjection

    def open_orders_of(self, facility_id: str, resident_id: str) -> list[UUID]:
        """The resident's orders at the facility not yet paid, or paid and not delivered."""
        self.orders.catch_up()
        still_open = ", ".join(f"'{status.value}'" for status in _STILL_OPEN)
        rows = self.orders.views.query(
            "SELECT order_id FROM commissary_orders WHERE facility_id = :facility_id "
            f"AND resident_id = :resident_id AND status IN ({still_open}) "
            f"AND fulfilment <> {_DELIVERED} ORDER BY order_id",
            {"facility_id": facility_id, "resident_id": resident_id},
        )
        return [UUID(row["order_id"]) for row in rows]

    def flagged(
        self, facility_id: str | None, limit: int, after: tuple[str, str] | None = None
    ) -> list[tuple[str, UUID]]:
        """(flagged since, order id) of the flagged orders, of one facility or all, the longest
        waiting first, after the row `after` names."""
        self.orders.catch_up()
        facility = "AND facility_id = :facility_id " if facility_id is not None else ""
        resume = (
            "AND (flagged_since > :since OR (flagged_since = :since AND order_id > :id)) "
            if after is not None
            else ""
        )
        rows = self.orders.views.query(
            f"SELECT flagged_since, order_id FROM commissary_orders WHERE ({_FLAGGED}) "
            f"AND flagged_since IS NOT NULL {facility}{resume}"
            "ORDER BY flagged_since, order_id LIMIT :limit",
            {
                "facility_id": facility_id,
                "limit": limit,
                "since": after[0] if after else None,
                "id": after[1] if after else None,
            },
        )
        return [(row["flagged_since"], UUID(row["order_id"])) for row in rows]

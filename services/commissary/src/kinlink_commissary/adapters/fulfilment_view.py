"""Where each order stands after it is placed, for what fulfilment must find without reading
every order: a resident's open orders when they leave the facility, and the support list of
flagged orders (ListFlaggedOrders).

An order is flagged while support or the facility has something to do: overdue and not yet
delivered, or its resident gone and the facility's decision not yet recorded. Rows carry each
order's version: a projector of another replica that lags behind never brings back an older
state.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from kinlink_kit.projection import Projection
from kinlink_kit.views import ViewCursor
from kinlink_kit.views import instant

from kinlink_commissary.domain.order import Order
from kinlink_commissary.domain.order import OrderStatus
from kinlink_commissary.domain.order import ResidentLeft

# Of a resident who leaves, these orders change: not yet paid (cancelled) or paid and on the way.
_STILL_OPEN = (OrderStatus.INCOMPLETE, OrderStatus.READY_TO_PROCESS, OrderStatus.PAID)
_FLAGGED = (
    "(flagged_at IS NOT NULL AND delivered_at IS NULL AND resident_left = 'none') "
    "OR (resident_left <> 'none' AND decided_at IS NULL)"
)


class FulfilmentProjection(Projection):
    name = "order_fulfilment"
    event_types = (
        Order.Placed,
        Order.MadeIncomplete,
        Order.MadeReady,
        Order.ProcessingStarted,
        Order.Paid,
        Order.Cancelled,
        Order.Delivered,
        Order.FlaggedOverdue,
        Order.ResidentLeftBeforeDelivery,
        Order.PackDecided,
    )
    ddl = """
    CREATE TABLE IF NOT EXISTS order_fulfilment (
        order_id TEXT PRIMARY KEY,
        version INTEGER NOT NULL,
        facility_id TEXT NOT NULL,
        resident_id TEXT NOT NULL,
        status TEXT NOT NULL,
        delivered_at TEXT,
        flagged_at TEXT,
        resident_left TEXT NOT NULL,
        flagged_since TEXT,
        decided_at TEXT
    );
    CREATE INDEX IF NOT EXISTS order_fulfilment_by_resident
        ON order_fulfilment (facility_id, resident_id);
    CREATE INDEX IF NOT EXISTS order_fulfilment_flagged
        ON order_fulfilment (flagged_since, order_id) WHERE flagged_since IS NOT NULL
    """

    def apply(self, cursor: ViewCursor, domain_event: Any, position: int) -> None:
        order_id = str(domain_event.originator_id)
        version = domain_event.originator_version
        if isinstance(domain_event, Order.Placed):
            cursor.execute(
                "INSERT INTO order_fulfilment (order_id, version, facility_id, resident_id, "
                "status, resident_left) VALUES (:order_id, :version, :facility_id, "
                ":resident_id, :status, :resident_left) ON CONFLICT (order_id) DO NOTHING",
                {
                    "order_id": order_id,
                    "version": version,
                    "facility_id": domain_event.facility_id,
                    "resident_id": domain_event.resident_id,
                    "status": OrderStatus.INCOMPLETE.value,
                    "resident_left": ResidentLeft.NONE.value,
                },
            )
            return
        changes, parameters = _changes(domain_event)
        assignments = "".join(f", {column} = {value}" for column, value in changes.items())
        cursor.execute(
            f"UPDATE order_fulfilment SET version = :version{assignments} "
            "WHERE order_id = :order_id AND version < :version",
            {"order_id": order_id, "version": version, **parameters},
        )

    def open_orders_of(self, facility_id: str, resident_id: str) -> list[UUID]:
        """The resident's orders at the facility not yet paid, or paid and not delivered."""
        self.catch_up()
        still_open = ", ".join(f"'{status.value}'" for status in _STILL_OPEN)
        rows = self.views.query(
            "SELECT order_id FROM order_fulfilment WHERE facility_id = :facility_id "
            f"AND resident_id = :resident_id AND status IN ({still_open}) "
            "AND delivered_at IS NULL ORDER BY order_id",
            {"facility_id": facility_id, "resident_id": resident_id},
        )
        return [UUID(row["order_id"]) for row in rows]

    def flagged(
        self, facility_id: str | None, limit: int, after: tuple[str, str] | None = None
    ) -> list[tuple[str, UUID]]:
        """(flagged since, order id) of the flagged orders, of one facility or all, the longest
        waiting first, after the row `after` names."""
        self.catch_up()
        facility = "AND facility_id = :facility_id " if facility_id is not None else ""
        resume = (
            "AND (flagged_since > :since OR (flagged_since = :since AND order_id > :id)) "
            if after is not None
            else ""
        )
        rows = self.views.query(
            f"SELECT flagged_since, order_id FROM order_fulfilment WHERE ({_FLAGGED}) "
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


_STATUS_OF = {
    Order.MadeIncomplete: OrderStatus.INCOMPLETE,
    Order.MadeReady: OrderStatus.READY_TO_PROCESS,
    Order.ProcessingStarted: OrderStatus.PROCESSING,
    Order.Paid: OrderStatus.PAID,
    Order.Cancelled: OrderStatus.CANCELLED,
}


def _changes(domain_event: Any) -> tuple[dict[str, str], dict[str, Any]]:
    """The columns an event sets (as SQL) and the parameters that SQL names."""
    changes: dict[str, str] = {}
    status = _STATUS_OF.get(type(domain_event))
    if status is not None:
        changes["status"] = f"'{status.value}'"
    if isinstance(domain_event, Order.Delivered):
        return {"delivered_at": ":at"}, {"at": instant(domain_event.delivered_at)}
    if isinstance(domain_event, Order.FlaggedOverdue):
        return (
            {"flagged_at": ":at", "flagged_since": "COALESCE(flagged_since, :at)"},
            {"at": instant(domain_event.flagged_at)},
        )
    if isinstance(domain_event, Order.ResidentLeftBeforeDelivery):
        return (
            {"resident_left": ":left", "flagged_since": "COALESCE(flagged_since, :at)"},
            {"at": instant(domain_event.at), "left": domain_event.left},
        )
    if isinstance(domain_event, Order.PackDecided):
        return {"decided_at": ":at"}, {"at": instant(domain_event.decided_at)}
    return changes, {}

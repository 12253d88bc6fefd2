"""Every order's place in lists: a family member's Commissary Pack History and a facility's
orders (newest first, page by page), the orders a posting run charges, those a lost answer left
processing (the processing sweep), and the paid ones whose delivery is awaited (tracking). The
same rows serve fulfilment's lists (`fulfilment_view`).

Rows carry each order's version: a projector of another replica that lags behind never brings
back an older status. The lists name orders; their state is read from the store.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from kinlink_kit.projection import Projection
from kinlink_kit.views import ViewCursor
from kinlink_kit.views import instant

from kinlink_commissary.domain.order import Fulfilment
from kinlink_commissary.domain.order import Order
from kinlink_commissary.domain.order import OrderStatus

# (placed at, order id) of the last row shown: where the next page resumes.
ListKey = tuple[str, str]


class OrdersProjection(Projection):
    name = "commissary_orders"
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
    CREATE TABLE IF NOT EXISTS commissary_orders (
        order_id TEXT PRIMARY KEY,
        version INTEGER NOT NULL,
        account_id TEXT NOT NULL,
        facility_id TEXT NOT NULL,
        resident_id TEXT NOT NULL,
        status TEXT NOT NULL,
        placed_at TEXT NOT NULL,
        processing_since TEXT,
        paid_at TEXT,
        fulfilment TEXT NOT NULL,
        flagged_at TEXT,
        resident_left_at TEXT,
        -- Since when support or the facility has had something to do about it (fulfilment_view).
        flagged_since TEXT,
        decided_at TEXT
    );
    CREATE INDEX IF NOT EXISTS commissary_orders_by_account
        ON commissary_orders (account_id, placed_at, order_id);
    CREATE INDEX IF NOT EXISTS commissary_orders_by_facility
        ON commissary_orders (facility_id, placed_at, order_id);
    CREATE INDEX IF NOT EXISTS commissary_orders_by_status
        ON commissary_orders (status, facility_id, placed_at);
    CREATE INDEX IF NOT EXISTS commissary_orders_by_resident
        ON commissary_orders (facility_id, resident_id);
    CREATE INDEX IF NOT EXISTS commissary_orders_flagged
        ON commissary_orders (flagged_since, order_id) WHERE flagged_since IS NOT NULL
    """

    def apply(self, cursor: ViewCursor, domain_event: Any, position: int) -> None:
        row = {
            "order_id": str(domain_event.originator_id),
            "version": domain_event.originator_version,
        }
        if isinstance(domain_event, Order.Placed):
            cursor.execute(
                "INSERT INTO commissary_orders (order_id, version, account_id, facility_id, "
                "resident_id, status, placed_at, fulfilment) VALUES (:order_id, :version, "
                ":account_id, :facility_id, :resident_id, :status, :placed_at, :fulfilment) "
                "ON CONFLICT (order_id) DO NOTHING",
                {
                    **row,
                    "account_id": str(domain_event.account_id),
                    "facility_id": domain_event.facility_id,
                    "resident_id": domain_event.resident_id,
                    "status": OrderStatus.INCOMPLETE.value,
                    "placed_at": instant(domain_event.placed_at),
                    "fulfilment": Fulfilment.NOT_SHIPPED.value,
                },
            )
            return
        changes = _changes(domain_event)
        assignments = "".join(
            f", {column} = {_KEPT.get(column, ':' + column)}" for column in changes
        )
        cursor.execute(
            f"UPDATE commissary_orders SET version = :version{assignments} "
            "WHERE order_id = :order_id AND version < :version",
            {**row, **changes},
        )

    def _page(
        self, where: str, params: dict[str, Any], limit: int, after: ListKey | None
    ) -> list[tuple[str, UUID]]:
        self.catch_up()
        resume = (
            "AND (placed_at < :placed_at OR (placed_at = :placed_at AND order_id < :id)) "
            if after is not None
            else ""
        )
        rows = self.views.query(
            f"SELECT placed_at, order_id FROM commissary_orders WHERE {where} {resume}"
            "ORDER BY placed_at DESC, order_id DESC LIMIT :limit",
            {
                **params,
                "limit": limit,
                "placed_at": after[0] if after else None,
                "id": after[1] if after else None,
            },
        )
        return [(row["placed_at"], UUID(row["order_id"])) for row in rows]

    def of_account(
        self,
        account_id: UUID,
        facility_id: str | None,
        resident_id: str | None,
        limit: int,
        after: ListKey | None = None,
    ) -> list[tuple[str, UUID]]:
        """(placed at, order id) of the family member's orders, newest first."""
        where, params = _filters(facility_id, resident_id)
        return self._page(
            "account_id = :account_id" + where,
            {"account_id": str(account_id), **params},
            limit,
            after,
        )

    def of_facility(
        self, facility_id: str, resident_id: str | None, limit: int, after: ListKey | None = None
    ) -> list[tuple[str, UUID]]:
        """(placed at, order id) of the facility's orders, newest first."""
        where, params = _filters(facility_id, resident_id)
        return self._page("1 = 1" + where, params, limit, after)

    def to_post(self, facility_id: str) -> list[UUID]:
        """The facility's orders a posting run charges: ready to process, and those a run or
        a pay-at-order charge left processing; oldest first."""
        self.catch_up()
        rows = self.views.query(
            "SELECT order_id FROM commissary_orders WHERE facility_id = :facility_id "
            "AND status IN (:ready, :processing) ORDER BY placed_at, order_id",
            {
                "facility_id": facility_id,
                "ready": OrderStatus.READY_TO_PROCESS.value,
                "processing": OrderStatus.PROCESSING.value,
            },
        )
        return [UUID(row["order_id"]) for row in rows]

    def facilities_waiting(self) -> list[str]:
        """Facilities with orders ready to process or left processing."""
        self.catch_up()
        rows = self.views.query(
            "SELECT DISTINCT facility_id FROM commissary_orders WHERE status IN (:ready, "
            ":processing) ORDER BY facility_id",
            {
                "ready": OrderStatus.READY_TO_PROCESS.value,
                "processing": OrderStatus.PROCESSING.value,
            },
        )
        return [row["facility_id"] for row in rows]

    def processing_since(self, before: datetime) -> list[UUID]:
        """Orders processing since `before` or earlier (an answer lost), oldest first."""
        self.catch_up()
        rows = self.views.query(
            "SELECT order_id FROM commissary_orders WHERE status = :status "
            "AND processing_since <= :before ORDER BY processing_since",
            {"status": OrderStatus.PROCESSING.value, "before": instant(before)},
        )
        return [UUID(row["order_id"]) for row in rows]

    def awaiting_delivery(self, paid_by: datetime) -> list[UUID]:
        """Paid orders paid by then, not delivered, not flagged overdue yet; oldest first."""
        self.catch_up()
        rows = self.views.query(
            "SELECT order_id FROM commissary_orders WHERE status = :status "
            "AND fulfilment <> :delivered AND flagged_at IS NULL AND paid_at <= :paid_by "
            "ORDER BY paid_at",
            {
                "status": OrderStatus.PAID.value,
                "delivered": Fulfilment.DELIVERED.value,
                "paid_by": instant(paid_by),
            },
        )
        return [UUID(row["order_id"]) for row in rows]


def _filters(facility_id: str | None, resident_id: str | None) -> tuple[str, dict[str, str]]:
    where, params = "", {}
    if facility_id:
        where += " AND facility_id = :facility_id"
        params["facility_id"] = facility_id
    if resident_id:
        where += " AND resident_id = :resident_id"
        params["resident_id"] = resident_id
    return where, params


# Columns set once: the first flag (overdue, or the resident gone) starts the wait.
_KEPT = {"flagged_since": "COALESCE(flagged_since, :flagged_since)"}


def _changes(domain_event: Any) -> dict[str, str | None]:
    """The columns a (non-creating) event sets."""
    if isinstance(domain_event, Order.MadeIncomplete):
        return {"status": OrderStatus.INCOMPLETE.value, "processing_since": None}
    if isinstance(domain_event, Order.MadeReady):
        return {"status": OrderStatus.READY_TO_PROCESS.value}
    if isinstance(domain_event, Order.ProcessingStarted):
        return {
            "status": OrderStatus.PROCESSING.value,
            "processing_since": instant(domain_event.at),
        }
    if isinstance(domain_event, Order.Paid):
        return {
            "status": OrderStatus.PAID.value,
            "paid_at": instant(domain_event.paid_at),
            "processing_since": None,
        }
    if isinstance(domain_event, Order.Cancelled):
        return {"status": OrderStatus.CANCELLED.value}
    if isinstance(domain_event, Order.Delivered):
        return {"fulfilment": Fulfilment.DELIVERED.value}
    if isinstance(domain_event, Order.FlaggedOverdue):
        flagged_at = instant(domain_event.flagged_at)
        return {"flagged_at": flagged_at, "flagged_since": flagged_at}
    if isinstance(domain_event, Order.PackDecided):
        return {"decided_at": instant(domain_event.decided_at)}
    left_at = instant(domain_event.at)
    return {"resident_left_at": left_at, "flagged_since": left_at}

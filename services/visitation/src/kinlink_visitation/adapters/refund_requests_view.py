"""Refund requests for the operators' queue and the family's list: pending first, the one
due soonest (the longest overdue) first; and the approved ones whose credit the ledger has not
confirmed yet (the refund sweep's work). Rows by the request's aggregate key
(`RefundRequest.create_id`)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from kinlink_kit.projection import Projection
from kinlink_kit.views import ViewCursor
from kinlink_kit.views import instant

from kinlink_visitation.domain.refund_request import RefundRequest
from kinlink_visitation.domain.refund_request import RefundStatus
from kinlink_visitation.domain.refund_request import review_due_by

# (pending first, due by, request key): how lists are sorted and resumed.
SortKey = tuple[int, str, str]


class RefundRequestsProjection(Projection):
    name = "refund_requests"
    event_types = (
        RefundRequest.Requested,
        RefundRequest.Approved,
        RefundRequest.Denied,
        RefundRequest.CreditIssued,
    )
    ddl = """
    CREATE TABLE IF NOT EXISTS refund_requests (
        request_key TEXT PRIMARY KEY,
        version INTEGER NOT NULL,
        account_id TEXT NOT NULL,
        facility_id TEXT NOT NULL,
        status TEXT NOT NULL,
        decided INTEGER NOT NULL,
        due_by TEXT NOT NULL,
        awaiting_credit INTEGER NOT NULL
    );
    CREATE INDEX IF NOT EXISTS refund_requests_queue
        ON refund_requests (decided, due_by, request_key);
    CREATE INDEX IF NOT EXISTS refund_requests_awaiting_credit
        ON refund_requests (awaiting_credit)
    """

    def apply(self, cursor: ViewCursor, domain_event: Any, position: int) -> None:
        row = {
            "request_key": str(domain_event.originator_id),
            "version": domain_event.originator_version,
        }
        if isinstance(domain_event, RefundRequest.Requested):
            cursor.execute(
                "INSERT INTO refund_requests (request_key, version, account_id, facility_id, "
                "status, decided, due_by, awaiting_credit) VALUES (:request_key, :version, "
                ":account_id, :facility_id, :status, 0, :due_by, 0) "
                "ON CONFLICT (request_key) DO NOTHING",
                {
                    **row,
                    "account_id": str(domain_event.account_id),
                    "facility_id": domain_event.facility_id,
                    "status": RefundStatus.PENDING.value,
                    "due_by": instant(review_due_by(domain_event.requested_at)),
                },
            )
            return
        if isinstance(domain_event, RefundRequest.CreditIssued):
            status, awaiting = RefundStatus.APPROVED, 0
        elif isinstance(domain_event, RefundRequest.Approved):
            status, awaiting = RefundStatus.APPROVED, 1
        else:
            status, awaiting = RefundStatus.DENIED, 0
        cursor.execute(
            "UPDATE refund_requests SET version = :version, status = :status, decided = 1, "
            "awaiting_credit = :awaiting WHERE request_key = :request_key AND version < :version",
            {**row, "status": status.value, "awaiting": awaiting},
        )

    def listed(
        self,
        account_id: UUID | None,
        facility_id: str,
        status: RefundStatus | None,
        limit: int,
        after: SortKey | None,
    ) -> list[tuple[SortKey, UUID]]:
        """(sort key, request key) of the requests, of one account if named, optionally at one
        facility or in one status."""
        self.catch_up()
        where = ["1 = 1"]
        if account_id is not None:
            where.append("account_id = :account_id")
        if facility_id:
            where.append("facility_id = :facility_id")
        if status is not None:
            where.append("status = :status")
        if after is not None:
            where.append(
                "(decided > :decided OR (decided = :decided AND (due_by > :due_by OR "
                "(due_by = :due_by AND request_key > :key))))"
            )
        rows = self.views.query(
            "SELECT decided, due_by, request_key FROM refund_requests "
            f"WHERE {' AND '.join(where)} ORDER BY decided, due_by, request_key LIMIT :limit",
            {
                "account_id": str(account_id) if account_id else None,
                "facility_id": facility_id,
                "status": status.value if status else None,
                "decided": after[0] if after else None,
                "due_by": after[1] if after else None,
                "key": after[2] if after else None,
                "limit": limit,
            },
        )
        return [
            ((int(row["decided"]), row["due_by"], row["request_key"]), UUID(row["request_key"]))
            for row in rows
        ]

    def awaiting_credit(self, limit: int = 500) -> list[UUID]:
        self.catch_up()
        rows = self.views.query(
            "SELECT request_key FROM refund_requests WHERE awaiting_credit = 1 "
            "ORDER BY request_key LIMIT :limit",
            {"limit": limit},
        )
        return [UUID(row["request_key"]) for row in rows]

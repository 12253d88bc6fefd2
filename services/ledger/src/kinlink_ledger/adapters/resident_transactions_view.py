"""The resident transactions read model (requirements "Deposit and Charge History": deposits into a
resident's commissary account and commissary orders): a row per deposit, and a row per
commissary allowance once it has ended, listed per resident.

A deposit's row is there from its request and follows its status; its receipt number is set
once captured. An allowance's row shows what the resident's orders used of it, which is known
only when it ends: until then (and for ever, for an allowance whose hold was declined) its status
is NULL and it is not listed. When it ends its status is `captured` (what was used, its amount,
was charged: the row carries that capture's receipt) or `released` (nothing was used; amount 0),
and its place in the list is the end's: one row per allowance, not per order, because the card
is charged once per allowance. A commissary pack paid by card (ChargeOrder) has a row per order,
listed once captured (`captured`, what the card was charged, its receipt, at the capture's place);
its declined attempts charged nothing and are not listed. A resident's balance is never here
(requirements "Resident Balance").

Rows are keyed by the aggregate and changed only by a newer version of it, so applying an event
twice, or a stale copy after a newer one, changes nothing.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from kinlink_kit.projection import Projection
from kinlink_kit.views import Row
from kinlink_kit.views import ViewCursor

from kinlink_ledger.domain.allowance import CommissaryAllowance
from kinlink_ledger.domain.deposit import Deposit
from kinlink_ledger.domain.deposit import DepositStatus
from kinlink_ledger.domain.order_charge import OrderCharge


class TransactionKind(StrEnum):
    DEPOSIT = "deposit"
    COMMISSARY_ORDER = "commissary_order"  # orders an allowance paid: what its end captured
    COMMISSARY_PACK = "commissary_pack"  # an order paid by card: its one capture


class AllowanceOutcome(StrEnum):
    CAPTURED = "captured"
    RELEASED = "released"


_UPDATE = (
    "UPDATE resident_transactions SET {changes}, version = :version "
    "WHERE originator_id = :originator_id AND version < :version"
)


class ResidentTransactionsProjection(Projection):
    name = "resident_transactions"
    event_types = (
        Deposit.Requested,
        Deposit.Captured,
        Deposit.Declined,
        Deposit.Posted,
        CommissaryAllowance.Requested,
        CommissaryAllowance.Captured,
        CommissaryAllowance.Ended,
        OrderCharge.Opened,
        OrderCharge.Captured,
    )
    ddl = """
    CREATE TABLE IF NOT EXISTS resident_transactions (
        originator_id TEXT PRIMARY KEY,
        version BIGINT NOT NULL,
        position BIGINT NOT NULL,
        kind TEXT NOT NULL,
        transaction_id TEXT NOT NULL,
        facility_id TEXT NOT NULL,
        resident_id TEXT NOT NULL,
        account_id TEXT NOT NULL,
        amount BIGINT NOT NULL,
        fee BIGINT NOT NULL,
        status TEXT,
        receipt_number TEXT NOT NULL,
        occurred_at TEXT NOT NULL
    );
    CREATE INDEX IF NOT EXISTS resident_transactions_by_resident
        ON resident_transactions (facility_id, resident_id, position)
    """

    def apply(self, cursor: ViewCursor, domain_event: Any, position: int) -> None:
        if isinstance(domain_event, Deposit.Requested):
            _requested(
                cursor,
                domain_event,
                position,
                kind=TransactionKind.DEPOSIT.value,
                transaction_id=str(domain_event.originator_id),
                account_id=domain_event.depositor_id,
                amount=domain_event.amount,
                fee=domain_event.fee,
                status=DepositStatus.PENDING.value,
                occurred_at=domain_event.requested_at,
            )
        elif isinstance(domain_event, CommissaryAllowance.Requested):
            _unlisted(
                cursor,
                domain_event,
                position,
                TransactionKind.COMMISSARY_ORDER,
                domain_event.allowance_id,
                domain_event.requested_at,
            )
        elif isinstance(domain_event, OrderCharge.Opened):
            _unlisted(
                cursor,
                domain_event,
                position,
                TransactionKind.COMMISSARY_PACK,
                domain_event.order_id,
                domain_event.timestamp,
            )
        elif isinstance(domain_event, OrderCharge.Captured):
            _changed(
                cursor,
                domain_event,
                "status = :status, amount = :amount, receipt_number = :receipt_number, "
                "position = :position, occurred_at = :occurred_at",
                status=AllowanceOutcome.CAPTURED.value,
                amount=domain_event.amount,
                receipt_number=OrderCharge.receipt_number_of(domain_event.originator_id),
                position=position,
                occurred_at=domain_event.captured_at.isoformat(),
            )
        elif isinstance(domain_event, Deposit.Captured):
            _changed(
                cursor,
                domain_event,
                "status = :status, receipt_number = :receipt_number",
                status=DepositStatus.CAPTURED.value,
                receipt_number=Deposit.receipt_number_of(domain_event.originator_id),
            )
        elif isinstance(domain_event, Deposit.Declined):
            _changed(cursor, domain_event, "status = :status", status=DepositStatus.DECLINED.value)
        elif isinstance(domain_event, Deposit.Posted):
            _changed(cursor, domain_event, "status = :status", status=DepositStatus.POSTED.value)
        elif isinstance(domain_event, CommissaryAllowance.Captured):
            _changed(
                cursor,
                domain_event,
                "amount = :amount, receipt_number = :receipt_number",
                amount=domain_event.amount,
                receipt_number=CommissaryAllowance.receipt_number_of(domain_event.originator_id),
            )
        elif isinstance(domain_event, CommissaryAllowance.Ended):
            _changed(
                cursor,
                domain_event,
                "status = CASE WHEN amount > 0 THEN :captured ELSE :released END, "
                "position = :position, occurred_at = :occurred_at",
                captured=AllowanceOutcome.CAPTURED.value,
                released=AllowanceOutcome.RELEASED.value,
                position=position,
                occurred_at=domain_event.ended_at.isoformat(),
            )

    def for_resident(
        self, facility_id: str, resident_id: str, account_id: str | None = None
    ) -> list[Row]:
        """The resident's transactions, newest first: everyone's, or only this account's."""
        self.catch_up()
        mine = "" if account_id is None else "AND account_id = :account_id "
        return self.views.query(
            "SELECT * FROM resident_transactions WHERE facility_id = :facility_id "
            f"AND resident_id = :resident_id AND status IS NOT NULL {mine}"
            "ORDER BY position DESC",
            {"facility_id": facility_id, "resident_id": resident_id, "account_id": account_id},
        )


def _requested(
    cursor: ViewCursor, domain_event: Any, position: int, occurred_at: datetime, **values: object
) -> None:
    """A deposit's, an allowance's or an order's row, as its first event says."""
    cursor.execute(
        "INSERT INTO resident_transactions (originator_id, version, position, kind, "
        "transaction_id, facility_id, resident_id, account_id, amount, fee, status, "
        "receipt_number, occurred_at) VALUES (:originator_id, :version, :position, :kind, "
        ":transaction_id, :facility_id, :resident_id, :account_id, :amount, :fee, :status, '', "
        ":occurred_at) ON CONFLICT (originator_id) DO NOTHING",
        {
            "originator_id": str(domain_event.originator_id),
            "version": domain_event.originator_version,
            "position": position,
            "facility_id": domain_event.facility_id,
            "resident_id": domain_event.resident_id,
            "occurred_at": occurred_at.isoformat(),
            **values,
        },
    )


def _unlisted(
    cursor: ViewCursor,
    domain_event: Any,
    position: int,
    kind: TransactionKind,
    transaction_id: object,
    occurred_at: datetime,
) -> None:
    """An allowance's or an order's row, not listed (no status) until it is settled."""
    _requested(
        cursor,
        domain_event,
        position,
        occurred_at,
        kind=kind.value,
        transaction_id=str(transaction_id),
        account_id=str(domain_event.account_id),
        amount=0,
        fee=0,
        status=None,
    )


def _changed(cursor: ViewCursor, domain_event: Any, changes: str, **values: object) -> None:
    cursor.execute(
        _UPDATE.format(changes=changes),
        {
            "originator_id": str(domain_event.originator_id),
            "version": domain_event.originator_version,
            **values,
        },
    )

"""GetDeposit and ListDeposits: one deposit, or a depositor's or a resident's, newest first.

Who sees what: a family member their own deposits; facility officers the deposits at their
facilities; operators and auditors every deposit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from kinlink_kit.auth import Principal
from kinlink_kit.auth import Role
from kinlink_kit.errors import InvalidArgument
from kinlink_kit.errors import PermissionDenied
from kinlink_kit.grpc_helpers import parse_id
from kinlink_kit.views import Row

from kinlink_ledger.domain.deposit import Deposit
from kinlink_ledger.domain.deposit import DepositNotFound
from kinlink_ledger.domain.deposit import DepositStatus
from kinlink_ledger.service_layer.ledger import Ledger


@dataclass(frozen=True)
class DepositRecord:
    """A deposit as families see it in their history and on their receipt."""

    deposit_id: UUID
    quote_id: UUID
    facility_id: str
    resident_id: str
    depositor_id: str
    amount: int
    fee: int
    week_start: str
    requested_at: datetime
    status: DepositStatus
    decline_reason: str | None = None
    payment_reference: str | None = None
    captured_at: datetime | None = None

    @property
    def total(self) -> int:
        return self.amount + self.fee

    @property
    def receipt_number(self) -> str:
        return Deposit.receipt_number_of(self.deposit_id)

    @classmethod
    def of(cls, deposit: Deposit) -> DepositRecord:
        return cls(
            deposit.id,
            deposit.quote_id,
            deposit.facility_id,
            deposit.resident_id,
            deposit.depositor_id,
            deposit.amount,
            deposit.fee,
            deposit.week_start,
            deposit.requested_at,
            deposit.status,
            deposit.decline_reason,
            deposit.payment_reference,
            deposit.captured_at,
        )

    @classmethod
    def from_row(cls, row: Row) -> DepositRecord:
        captured_at = row["captured_at"]
        return cls(
            UUID(row["deposit_id"]),
            UUID(row["quote_id"]),
            row["facility_id"],
            row["resident_id"],
            row["depositor_id"],
            int(row["amount"]),
            int(row["fee"]),
            row["week_start"],
            datetime.fromisoformat(row["requested_at"]),
            DepositStatus(row["status"]),
            row["decline_reason"],
            row["payment_reference"],
            datetime.fromisoformat(captured_at) if captured_at else None,
        )


@dataclass(frozen=True)
class ListDeposits:
    """A resident's deposits (facility_id and resident_id), or a depositor's (by default the
    viewer's own)."""

    depositor_id: str = ""
    facility_id: str = ""
    resident_id: str = ""


def may_see(viewer: Principal, depositor_id: str, facility_id: str) -> bool:
    return viewer.account_id == depositor_id or viewer.in_scope(facility_id)


def get_deposit(ledger: Ledger, deposit_id: str, viewer: Principal) -> DepositRecord:
    deposit = ledger.deposit(parse_id(deposit_id, "deposit_id"))
    if not may_see(viewer, deposit.depositor_id, deposit.facility_id):
        # The same answer as for an unknown deposit: ids tell nothing about other families.
        raise DepositNotFound()
    return DepositRecord.of(deposit)


def list_deposits(ledger: Ledger, viewer: Principal, query: ListDeposits) -> list[DepositRecord]:
    if query.resident_id:
        return _resident_history(ledger, viewer, query.facility_id, query.resident_id)
    depositor_id = query.depositor_id or viewer.account_id
    if depositor_id != viewer.account_id and not (
        viewer.has(Role.OPERATOR) or viewer.has(Role.AUDITOR)
    ):
        raise PermissionDenied("depositor_not_caller", "You can list only your own deposits.")
    return depositor_deposits(ledger, depositor_id)


def _resident_history(
    ledger: Ledger, viewer: Principal, facility_id: str, resident_id: str
) -> list[DepositRecord]:
    depositor_id = whose_resident_history(viewer, facility_id)
    if depositor_id is None:
        return resident_deposits(ledger, facility_id, resident_id)
    rows = ledger.views.deposits.for_depositor_to_resident(depositor_id, facility_id, resident_id)
    return [DepositRecord.from_row(row) for row in rows]


def whose_resident_history(viewer: Principal, facility_id: str) -> str | None:
    """Whose payments for a resident of the facility the viewer sees: everyone's (None) for its
    officers, operators and auditors; a family member only their own (their account id), not
    what others sent. Staff of other facilities are refused."""
    _require_facility_id(facility_id)
    if viewer.in_scope(facility_id):
        return None
    if not viewer.has(Role.FAMILY_MEMBER):
        viewer.require_facility(facility_id)  # refuses: staff of other facilities
    return viewer.account_id


def depositor_deposits(ledger: Ledger, depositor_id: str) -> list[DepositRecord]:
    if not depositor_id:
        raise InvalidArgument("depositor_id_missing", "Whose deposits? A depositor id is required.")
    return [
        DepositRecord.from_row(row) for row in ledger.views.deposits.for_depositor(depositor_id)
    ]


def resident_deposits(ledger: Ledger, facility_id: str, resident_id: str) -> list[DepositRecord]:
    _require_facility_id(facility_id)
    rows = ledger.views.deposits.for_resident(facility_id, resident_id)
    return [DepositRecord.from_row(row) for row in rows]


def _require_facility_id(facility_id: str) -> None:
    if not facility_id:
        raise InvalidArgument("facility_id_missing", "A resident's history is per facility.")

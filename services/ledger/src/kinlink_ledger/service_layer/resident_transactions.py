"""ListResidentTransactions (requirements "Deposit and Charge History"): the transactions made for a
resident, deposits into their account, commissary orders paid by allowances and commissary packs
paid by card, newest first.

Who sees what, as for a resident's deposit history (ListDeposits): a family member only what
they paid themselves, never what other families did; the facility's officers, operators and
auditors everyone's. Never the resident's balance (requirements "Resident Balance").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from kinlink_kit.auth import Principal
from kinlink_kit.errors import InvalidArgument
from kinlink_kit.views import Row

from kinlink_ledger.adapters.resident_transactions_view import TransactionKind
from kinlink_ledger.service_layer.deposit_history import whose_resident_history
from kinlink_ledger.service_layer.ledger import Ledger


@dataclass(frozen=True)
class ResidentTransaction:
    kind: TransactionKind
    transaction_id: str  # the deposit id, or the commissary's allowance or order id
    facility_id: str
    resident_id: str
    account_id: str  # who paid
    amount: int  # a deposit's amount; what an allowance's orders used; what a pack was charged
    fee: int
    status: str  # a deposit's status; an allowance's `captured` or `released`; a pack's `captured`
    receipt_number: str  # empty until captured
    occurred_at: datetime  # a deposit's request; an allowance's end; a pack's capture

    @classmethod
    def from_row(cls, row: Row) -> ResidentTransaction:
        return cls(
            TransactionKind(row["kind"]),
            row["transaction_id"],
            row["facility_id"],
            row["resident_id"],
            row["account_id"],
            int(row["amount"]),
            int(row["fee"]),
            row["status"],
            row["receipt_number"],
            datetime.fromisoformat(row["occurred_at"]),
        )


def list_resident_transactions(
    ledger: Ledger, viewer: Principal, facility_id: str, resident_id: str
) -> list[ResidentTransaction]:
    if not resident_id:
        raise InvalidArgument(
            "resident_id_missing", "Whose transactions? A resident id is required."
        )
    account_id = whose_resident_history(viewer, facility_id)
    rows = ledger.views.resident_transactions.for_resident(facility_id, resident_id, account_id)
    return [ResidentTransaction.from_row(row) for row in rows]

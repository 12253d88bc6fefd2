"""GetReceipt and PrintReceipt: the receipt of a captured payment, to show or to print.

Who sees a receipt: the payer; operators and auditors; a facility's officers the receipts of
payments for its residents (deposits, allowances, commissary orders), not what families paid for
their own subscriptions. Anyone else is told there is no such receipt, as for a number that was
never given: receipt numbers are read out on the phone and typed in, and must reveal nothing of
other families' payments.
"""

from __future__ import annotations

from datetime import datetime

from kinlink_kit.auth import Principal
from kinlink_kit.auth import Role
from kinlink_kit.errors import InvalidArgument
from kinlink_kit.views import Row

from kinlink_ledger.adapters import receipt_document
from kinlink_ledger.domain.money import Cents
from kinlink_ledger.domain.receipt import Receipt
from kinlink_ledger.domain.receipt import ReceiptHold
from kinlink_ledger.domain.receipt import ReceiptKind
from kinlink_ledger.domain.receipt import ReceiptNotFound
from kinlink_ledger.service_layer.ledger import Ledger


def get_receipt(ledger: Ledger, receipt_number: str, viewer: Principal) -> Receipt:
    number = receipt_number.strip().upper()  # as read out, in any case
    if not number:
        raise InvalidArgument("receipt_number_missing", "Which receipt? Give its number.")
    found = ledger.views.receipts.find(number)
    if found is None or not may_see(viewer, found[0]):
        raise ReceiptNotFound()
    row, lines = found
    return Receipt(
        receipt_number=row["receipt_number"],
        kind=ReceiptKind(row["kind"]),
        account_id=row["account_id"],
        facility_id=row["facility_id"],
        facility_name=ledger.facilities.get(row["facility_id"]).name,
        resident_id=row["resident_id"],
        lines=lines,
        payment_reference=row["payment_reference"],
        captured_at=datetime.fromisoformat(row["captured_at"]),
        hold=(
            None
            if row["authorized"] is None
            else ReceiptHold(Cents(int(row["authorized"])), Cents(int(row["released"])))
        ),
    )


def print_receipt(ledger: Ledger, receipt_number: str, viewer: Principal) -> bytes:
    """The receipt as a document to print as it is (receipt_document.CONTENT_TYPE)."""
    return receipt_document.render(get_receipt(ledger, receipt_number, viewer))


def may_see(viewer: Principal, receipt: Row) -> bool:
    if viewer.account_id == receipt["account_id"]:
        return True
    if viewer.has(Role.OPERATOR) or viewer.has(Role.AUDITOR):
        return True
    officer = viewer.has(Role.FACILITY_OFFICER) and receipt["facility_id"] in viewer.facilities
    return officer and bool(receipt["resident_id"])

"""The receipts read model: what each captured payment's receipt shows, by receipt number.

A receipt is put together from three facts, each written once, so that applying an event twice
changes nothing: who paid, for what and where (`_payment`); its lines (`_lines`); and its capture
(`_captured`), without which it is not a receipt yet. Each kind of payment is a branch of
`apply` that finds these facts in its own events: a deposit's request says who paid what for
whom and its capture completes it; a wallet funding's capture says all of it at once; an
allowance's request says who pays for whom and its capture what the orders used, its one line.
An allowance nothing was used of is never captured, so it has no receipt. A commissary order's
charge says who pays for whom when opened, and its one capture (whichever attempt) the rest.

An allowance's receipt also shows its hold (`receipt_holds`), beside the lines since it was not
charged: what was authorised, from the request, and what the end released, from the release.

Facility names are not kept here: a receipt shows the facility's name as it is now.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from kinlink_kit.projection import Projection
from kinlink_kit.views import Row
from kinlink_kit.views import ViewCursor

from kinlink_ledger.domain.allowance import CommissaryAllowance
from kinlink_ledger.domain.deposit import Deposit
from kinlink_ledger.domain.money import Cents
from kinlink_ledger.domain.order_charge import OrderCharge
from kinlink_ledger.domain.receipt import ReceiptKind
from kinlink_ledger.domain.receipt import ReceiptLine
from kinlink_ledger.domain.wallet import MessagingWallet


class ReceiptsProjection(Projection):
    name = "receipts"
    event_types = (
        Deposit.Requested,
        Deposit.Captured,
        MessagingWallet.Funded,
        CommissaryAllowance.Requested,
        CommissaryAllowance.Captured,
        CommissaryAllowance.Released,
        OrderCharge.Opened,
        OrderCharge.Captured,
    )
    ddl = """
    CREATE TABLE IF NOT EXISTS receipts (
        receipt_number TEXT PRIMARY KEY,
        kind TEXT NOT NULL,
        account_id TEXT NOT NULL,
        facility_id TEXT NOT NULL,
        resident_id TEXT NOT NULL,
        payment_reference TEXT,
        captured_at TEXT
    );
    CREATE TABLE IF NOT EXISTS receipt_lines (
        receipt_number TEXT NOT NULL,
        line INTEGER NOT NULL,
        description TEXT NOT NULL,
        amount BIGINT NOT NULL,
        PRIMARY KEY (receipt_number, line)
    );
    CREATE TABLE IF NOT EXISTS receipt_holds (
        receipt_number TEXT PRIMARY KEY,
        authorized BIGINT NOT NULL,
        released BIGINT NOT NULL
    )
    """

    def apply(self, cursor: ViewCursor, domain_event: Any, position: int) -> None:
        if isinstance(domain_event, Deposit.Requested):
            number = Deposit.receipt_number_of(domain_event.originator_id)
            _payment(
                cursor,
                number,
                ReceiptKind.DEPOSIT,
                domain_event.depositor_id,
                domain_event.facility_id,
                domain_event.resident_id,
            )
            _lines(
                cursor,
                number,
                ReceiptLine("Deposit to the resident's account", domain_event.amount),
                ReceiptLine("Processing fee", domain_event.fee),
            )
        elif isinstance(domain_event, Deposit.Captured):
            number = Deposit.receipt_number_of(domain_event.originator_id)
            _captured(cursor, number, domain_event.payment_reference, domain_event.captured_at)
        elif isinstance(domain_event, MessagingWallet.Funded):
            number = MessagingWallet.receipt_number_of(domain_event.funding_id)
            _payment(
                cursor,
                number,
                ReceiptKind.WALLET_FUNDING,
                str(domain_event.account_id),
                domain_event.facility_id,
                "",
            )
            _lines(
                cursor,
                number,
                ReceiptLine("Messaging subscription funding", Cents(domain_event.amount)),
            )
            _captured(cursor, number, domain_event.payment_reference, domain_event.timestamp)
        elif isinstance(domain_event, CommissaryAllowance.Requested):
            number = CommissaryAllowance.receipt_number_of(domain_event.originator_id)
            _payment(
                cursor,
                number,
                ReceiptKind.ALLOWANCE_CAPTURE,
                str(domain_event.account_id),
                domain_event.facility_id,
                domain_event.resident_id,
            )
            # Only an authorised allowance is ever captured: then this is what was authorised.
            cursor.execute(
                "INSERT INTO receipt_holds (receipt_number, authorized, released) "
                "VALUES (:receipt_number, :authorized, 0) ON CONFLICT (receipt_number) DO NOTHING",
                {"receipt_number": number, "authorized": domain_event.amount},
            )
        elif isinstance(domain_event, CommissaryAllowance.Captured):
            number = CommissaryAllowance.receipt_number_of(domain_event.originator_id)
            _lines(
                cursor,
                number,
                ReceiptLine(
                    "Commissary orders paid from the allowance", Cents(domain_event.amount)
                ),
            )
            _captured(cursor, number, domain_event.payment_reference, domain_event.captured_at)
        elif isinstance(domain_event, OrderCharge.Opened):
            _payment(
                cursor,
                OrderCharge.receipt_number_of(domain_event.originator_id),
                ReceiptKind.COMMISSARY_ORDER,
                str(domain_event.account_id),
                domain_event.facility_id,
                domain_event.resident_id,
            )
        elif isinstance(domain_event, OrderCharge.Captured):
            number = OrderCharge.receipt_number_of(domain_event.originator_id)
            _lines(cursor, number, ReceiptLine("Commissary order", Cents(domain_event.amount)))
            _captured(cursor, number, domain_event.payment_reference, domain_event.captured_at)
        elif isinstance(domain_event, CommissaryAllowance.Released):
            cursor.execute(
                "UPDATE receipt_holds SET released = :released "
                "WHERE receipt_number = :receipt_number",
                {
                    "receipt_number": CommissaryAllowance.receipt_number_of(
                        domain_event.originator_id
                    ),
                    "released": domain_event.amount,
                },
            )

    def find(self, receipt_number: str) -> tuple[Row, tuple[ReceiptLine, ...]] | None:
        """The captured payment's receipt (with its hold's `authorized` and `released`, None but
        for an allowance's) and its lines; None if there is none."""
        self.catch_up()
        found = self.views.query(
            "SELECT receipts.*, receipt_holds.authorized, receipt_holds.released FROM receipts "
            "LEFT JOIN receipt_holds ON receipt_holds.receipt_number = receipts.receipt_number "
            "WHERE receipts.receipt_number = :receipt_number AND captured_at IS NOT NULL",
            {"receipt_number": receipt_number},
        )
        if not found:
            return None
        lines = self.views.query(
            "SELECT description, amount FROM receipt_lines WHERE receipt_number = :receipt_number "
            "ORDER BY line",
            {"receipt_number": receipt_number},
        )
        return found[0], tuple(
            ReceiptLine(r["description"], Cents(int(r["amount"]))) for r in lines
        )


def _payment(
    cursor: ViewCursor,
    receipt_number: str,
    kind: ReceiptKind,
    account_id: str,
    facility_id: str,
    resident_id: str,
) -> None:
    """Who paid, for what and where."""
    cursor.execute(
        "INSERT INTO receipts (receipt_number, kind, account_id, facility_id, resident_id) "
        "VALUES (:receipt_number, :kind, :account_id, :facility_id, :resident_id) "
        "ON CONFLICT (receipt_number) DO NOTHING",
        {
            "receipt_number": receipt_number,
            "kind": kind.value,
            "account_id": account_id,
            "facility_id": facility_id,
            "resident_id": resident_id,
        },
    )


def _lines(cursor: ViewCursor, receipt_number: str, *lines: ReceiptLine) -> None:
    for number, line in enumerate(lines, start=1):
        cursor.execute(
            "INSERT INTO receipt_lines (receipt_number, line, description, amount) "
            "VALUES (:receipt_number, :line, :description, :amount) "
            "ON CONFLICT (receipt_number, line) DO NOTHING",
            {
                "receipt_number": receipt_number,
                "line": number,
                "description": line.description,
                "amount": line.amount,
            },
        )


def _captured(
    cursor: ViewCursor, receipt_number: str, payment_reference: str, captured_at: datetime
) -> None:
    """The card was charged: from now on the row is a receipt."""
    cursor.execute(
        "UPDATE receipts SET payment_reference = :payment_reference, captured_at = :captured_at "
        "WHERE receipt_number = :receipt_number AND captured_at IS NULL",
        {
            "receipt_number": receipt_number,
            "payment_reference": payment_reference,
            "captured_at": captured_at.isoformat(),
        },
    )

"""Receipts: what a family is shown, and can print, once a card payment is captured (requirements
"How Do I Make A Deposit": "a receipt screen where you can either print the receipt or return").

A receipt shows what was paid, for what and where; never a resident's balance (requirements
"Resident Balance": account activity of residents is not disclosed)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from uuid import UUID

from kinlink_kit.errors import NotFound

from kinlink_ledger.domain.money import Cents


class ReceiptNotFound(NotFound):
    """Also what a receipt is to a caller who may not see it."""

    def __init__(self) -> None:
        super().__init__("receipt_not_found", "No such receipt.")


class ReceiptKind(StrEnum):
    DEPOSIT = "deposit"
    WALLET_FUNDING = "wallet_funding"
    ALLOWANCE_CAPTURE = "allowance_capture"
    COMMISSARY_ORDER = "commissary_order"


@dataclass(frozen=True)
class ReceiptLine:
    description: str
    amount: Cents


@dataclass(frozen=True)
class ReceiptHold:
    """The hold an allowance's capture ended (requirements "What is a Commissary Allowance": only
    what the resident used is charged): what was authorised on the card, and what of it was released
    uncharged. Shown beside the lines, not among them: the lines add up to what was charged."""

    authorized: Cents
    released: Cents


@dataclass(frozen=True)
class Receipt:
    receipt_number: str
    kind: ReceiptKind
    account_id: str  # who paid
    facility_id: str
    facility_name: str
    resident_id: str  # empty unless the payment went to a resident
    lines: tuple[ReceiptLine, ...]
    payment_reference: str
    captured_at: datetime
    hold: ReceiptHold | None = None  # an allowance's capture only

    @property
    def total(self) -> Cents:
        return Cents(sum(line.amount for line in self.lines))


def receipt_number(payment_id: UUID) -> str:
    """Short enough to read out on the phone to support; unique per payment (a deposit's id, a
    wallet funding's id, an allowance's id or a commissary order's: each is captured once)."""
    return f"KL-{payment_id.hex[:12].upper()}"

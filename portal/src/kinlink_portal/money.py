"""Amounts of money as people read and type them: dollars in the visitor's language outside,
integer cents inside (as every service keeps them)."""

from __future__ import annotations

from decimal import Decimal
from decimal import InvalidOperation

from babel.numbers import format_currency

from kinlink_portal.i18n import current_language
from kinlink_portal.services import Refusal


def dollars(cents: int) -> str:
    """e.g. $300.00 in English, 300,00 US$ in Spanish."""
    return format_currency(Decimal(cents) / 100, "USD", locale=current_language())


def typed_dollars(cents: int) -> str:
    """What an input holds for `cents`: 300.00."""
    return f"{Decimal(cents) / 100:.2f}"


def cents_of(typed: str, field: str) -> int:
    """A typed amount (300, 300.5, $1,250.00) in cents; anything else is refused beside
    `field`."""
    cleaned = typed.strip().removeprefix("$").replace(",", "")
    try:
        amount = Decimal(cleaned)
    except InvalidOperation:
        raise Refusal("amount_invalid", field) from None
    if not amount.is_finite() or amount != amount.quantize(Decimal("0.01")):
        raise Refusal("amount_invalid", field)
    return int(amount * 100)

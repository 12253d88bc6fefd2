"""Dollars as people type them, to integer cents and back."""

from __future__ import annotations

from decimal import Decimal
from decimal import InvalidOperation

import click


def parse_dollars(text: str) -> int:
    try:
        amount = Decimal(text.strip().removeprefix("$").replace(",", ""))
    except InvalidOperation:
        raise click.BadParameter(f"{text!r} is not an amount like 50.00") from None
    if amount != amount.quantize(Decimal("0.01")):
        raise click.BadParameter("amounts have at most two decimals (cents)")
    return int(amount * 100)


def dollars(cents: int) -> str:
    sign = "-" if cents < 0 else ""
    return f"{sign}${abs(cents) // 100:,}.{abs(cents) % 100:02d}"

"""Money is an integer number of US cents, never a float."""

from typing import NewType

Cents = NewType("Cents", int)


def format_dollars(amount: Cents) -> str:
    return f"${amount // 100:,}.{amount % 100:02d}"

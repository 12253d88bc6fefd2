"""Amounts typed in dollars become integer cents; anything else is refused beside its field."""

from __future__ import annotations

import pytest
from kinlink_portal.i18n import use_language
from kinlink_portal.money import cents_of
from kinlink_portal.money import dollars
from kinlink_portal.services import Refusal


@pytest.mark.parametrize(
    ("typed", "cents"),
    [("300", 30000), ("300.5", 30050), ("$1,250.00", 125000), (" 0.01 ", 1), ("0", 0)],
)
def test_typed_dollars_become_cents(typed: str, cents: int) -> None:
    assert cents_of(typed, "amount") == cents


@pytest.mark.parametrize("typed", ["", "abc", "1.005", "NaN", "Infinity", "3e2x"])
def test_anything_else_is_refused_beside_its_field(typed: str) -> None:
    with pytest.raises(Refusal) as refused:
        cents_of(typed, "settings.weekly_deposit_limit_cents")
    assert (refused.value.code, refused.value.field) == (
        "amount_invalid",
        "settings.weekly_deposit_limit_cents",
    )


def test_amounts_are_written_as_the_visitors_language_writes_them() -> None:
    try:
        use_language("en")
        assert dollars(125050) == "$1,250.50"
        use_language("es")
        assert dollars(125050) == "1.250,50\xa0US$"
    finally:
        use_language("en")

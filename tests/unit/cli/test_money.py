import click
import pytest
from kinlink_cli.money import dollars
from kinlink_cli.money import parse_dollars


@pytest.mark.parametrize(
    ("text", "cents"), [("50.00", 5000), ("50", 5000), ("$1,234.5", 123450), ("0.01", 1)]
)
def test_dollars_people_type_become_exact_cents(text: str, cents: int) -> None:
    assert parse_dollars(text) == cents
    assert parse_dollars(dollars(cents)) == cents


@pytest.mark.parametrize("text", ["fifty", "1.005", ""])
def test_amounts_that_are_not_whole_cents_are_refused(text: str) -> None:
    with pytest.raises(click.BadParameter):
        parse_dollars(text)

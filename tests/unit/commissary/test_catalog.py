"""The catalog's rules without infrastructure: reading a vendor's CSV file (every bad row named,
nothing imported), revisions, items no longer offered, and pricing an order within its limits."""

from datetime import UTC
from datetime import datetime

import pytest
from kinlink_commissary.domain.catalog import Catalog
from kinlink_commissary.domain.catalog import CatalogItem
from kinlink_commissary.domain.catalog import CatalogRowInvalid
from kinlink_commissary.domain.catalog import OrderLine
from kinlink_commissary.domain.catalog import RowProblem
from kinlink_commissary.domain.catalog import read_csv
from kinlink_commissary.domain.order import OrderItem
from kinlink_kit.errors import FailedPrecondition
from kinlink_kit.errors import InvalidArgument
from kinlink_kit.errors import NotFound
from kinlink_kit.testing import refused

NOW = datetime(2026, 11, 25, 18, 0, tzinfo=UTC)
CSV = (
    "sku,name,description,category,price_cents,max_per_order\n"
    "SOAP-1,Soap,Unscented bar,Hygiene,150,3\n"
    'NOOD-3,"Noodles, chicken",Ramen,Food,75,10\n'
    "CAFE-2,Café instantáneo,,Food,499,2\n"
).encode()


def catalog(csv: bytes = CSV, *, limit: int = 5000, most_items: int = 12) -> Catalog:
    opened = Catalog.open("FAC-1")
    opened.replace_with("Acme Commissary", read_csv(csv), limit, most_items, NOW)
    return opened


def test_a_csv_file_becomes_the_items_in_utf8_with_quoted_commas() -> None:
    items = read_csv(b"\xef\xbb\xbf" + CSV)
    assert items == (
        CatalogItem("SOAP-1", "Soap", "Unscented bar", "Hygiene", 150, 3),
        CatalogItem("NOOD-3", "Noodles, chicken", "Ramen", "Food", 75, 10),
        CatalogItem("CAFE-2", "Café instantáneo", "", "Food", 499, 2),
    )


def test_every_bad_row_is_named_at_once() -> None:
    bad = (
        b"sku,name,description,category,price_cents,max_per_order\n"
        b"SOAP-1,Soap,,Hygiene,1.50,3\n"
        b"NOOD-3,Noodles,,Food,75,10\n"
        b",Nameless,,Food,75,1\n"
        b"NOOD-3,Noodles again,,Food,80,10\n"
        b"PEN-1,Pen,,Supplies,25,0\n"
    )
    with pytest.raises(CatalogRowInvalid) as caught:
        read_csv(bad)
    assert caught.value.code == "catalog_row_invalid"
    assert caught.value.problems == (
        RowProblem(1, "price_cents must be a whole number of cents above zero"),
        RowProblem(3, "missing sku"),
        RowProblem(4, "sku 'NOOD-3' repeats an earlier row"),
        RowProblem(5, "max_per_order must be a whole number above zero"),
    )
    assert "row 1: price_cents" in caught.value.message and "row 5:" in caught.value.message


@pytest.mark.parametrize(
    "content",
    [
        b"sku,name,price_cents\nA,B,1\n",
        "sku,name,description,category,price_cents,max_per_order\nA,Caf\xe9,,F,1,1\n".encode(
            "latin-1"
        ),
        b"sku,name,description,category,price_cents,max_per_order\n",
    ],
    ids=["header lacks columns", "not utf-8", "no items"],
)
def test_a_file_that_cannot_be_read_is_refused_whole(content: bytes) -> None:
    with refused(InvalidArgument, "catalog_file_invalid"):
        read_csv(content)


def test_each_import_is_a_revision_and_items_left_out_become_unavailable() -> None:
    current = catalog()
    current.replace_with(
        "Acme Commissary",
        (CatalogItem("SOAP-1", "Soap", "", "Hygiene", 175, 3),),
        4000,
        10,
        NOW,
    )
    assert current.revision == 2
    assert [item.sku for item in current.offered] == ["SOAP-1"]
    assert current.items["NOOD-3"].available is False
    assert current.items["SOAP-1"].price_cents == 175
    with refused(FailedPrecondition, "item_unavailable"):
        current.price((OrderLine("NOOD-3", 1),))


@pytest.mark.parametrize(
    ("vendor", "limit", "most", "code"),
    [
        (" ", 100, 1, "vendor_missing"),
        ("V", 0, 1, "order_limit_invalid"),
        ("V", 1, -2, "max_items_invalid"),
    ],
)
def test_the_catalog_limits_must_be_given(vendor: str, limit: int, most: int, code: str) -> None:
    with refused(InvalidArgument, code):
        Catalog.open("FAC-1").replace_with(vendor, read_csv(CSV), limit, most, NOW)


def test_an_order_is_priced_from_the_catalog() -> None:
    assert catalog().price((OrderLine(" SOAP-1", 3), OrderLine("CAFE-2", 1))) == (
        OrderItem("SOAP-1", "Soap", 3, 150),
        OrderItem("CAFE-2", "Café instantáneo", 1, 499),
    )


@pytest.mark.parametrize(
    ("lines", "kind", "code"),
    [
        ((), InvalidArgument, "order_lines_missing"),
        ((OrderLine("NOPE", 1),), NotFound, "item_not_found"),
        ((OrderLine("SOAP-1", 0),), InvalidArgument, "quantity_invalid"),
        ((OrderLine("SOAP-1", 4),), InvalidArgument, "quantity_invalid"),
        ((OrderLine("SOAP-1", 1), OrderLine("SOAP-1", 1)), InvalidArgument, "order_line_repeated"),
        ((OrderLine("NOOD-3", 10), OrderLine("SOAP-1", 3)), FailedPrecondition, "too_many_items"),
        (
            (OrderLine("CAFE-2", 2), OrderLine("SOAP-1", 1)),
            FailedPrecondition,
            "order_limit_exceeded",
        ),
    ],
)
def test_an_order_outside_the_limits_is_refused(
    lines: tuple[OrderLine, ...], kind: type[Exception], code: str
) -> None:
    with refused(kind, code):  # type: ignore[arg-type]
        catalog(limit=1000, most_items=12).price(lines)


def test_an_order_at_the_limits_is_taken() -> None:
    lines = (OrderLine("NOOD-3", 10), OrderLine("SOAP-1", 2))
    assert sum(item.total_cents for item in catalog(limit=1050, most_items=12).price(lines)) == 1050

"""A facility's commissary catalog: what families may order for its residents, at what price and
within which limits, as its vendor last published it (from an operator's CSV file or the
facility's own event).

Each import replaces the whole catalog and counts a revision; an item absent from the new one
stays known (past orders name it) but unavailable.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from collections.abc import Mapping
from dataclasses import asdict
from dataclasses import dataclass
from dataclasses import replace
from datetime import UTC
from datetime import datetime
from typing import Any
from uuid import UUID
from uuid import uuid5

from eventsourcing.domain import Aggregate
from eventsourcing.domain import event
from kinlink_kit.errors import FailedPrecondition
from kinlink_kit.errors import InvalidArgument
from kinlink_kit.errors import NotFound

from kinlink_commissary.domain.order import OrderItem

CSV_COLUMNS = ("sku", "name", "description", "category", "price_cents", "max_per_order")
_NAMESPACE = UUID("6a0f4e2b-8c1d-4b7a-9e35-2d4c8b1f7a60")


class CatalogNotFound(NotFound):
    def __init__(self) -> None:
        super().__init__("catalog_not_found", "This facility has no commissary catalog yet.")


class CatalogFileInvalid(InvalidArgument):
    def __init__(self, why: str) -> None:
        super().__init__("catalog_file_invalid", f"The catalog file cannot be read: {why}.")


@dataclass(frozen=True)
class RowProblem:
    row: int  # 1 is the first item after the header
    problem: str

    def __str__(self) -> str:
        return f"row {self.row}: {self.problem}"


class CatalogRowInvalid(InvalidArgument):
    """Every bad row at once, so one corrected file imports; nothing was imported."""

    def __init__(self, problems: tuple[RowProblem, ...]) -> None:
        super().__init__(
            "catalog_row_invalid",
            "Nothing was imported; fix these rows: " + "; ".join(map(str, problems)) + ".",
        )
        self.problems = problems


class CatalogLimitInvalid(InvalidArgument):
    def __init__(self, code: str, what: str) -> None:
        super().__init__(code, f"The {what} must be a whole number above zero.")


class VendorMissing(InvalidArgument):
    def __init__(self) -> None:
        super().__init__("vendor_missing", "Name the commissary company that fulfils orders.")


class OrderLinesMissing(InvalidArgument):
    def __init__(self) -> None:
        super().__init__("order_lines_missing", "Choose at least one item.")


class OrderLineRepeated(InvalidArgument):
    def __init__(self, sku: str) -> None:
        super().__init__("order_line_repeated", f"Item {sku!r} is listed twice: give one line.")


class ItemNotFound(NotFound):
    def __init__(self, sku: str) -> None:
        super().__init__("item_not_found", f"The catalog has no item {sku!r}.")


class ItemUnavailable(FailedPrecondition):
    def __init__(self, sku: str) -> None:
        super().__init__("item_unavailable", f"Item {sku!r} is no longer offered.")


class QuantityInvalid(InvalidArgument):
    def __init__(self, sku: str, most: int) -> None:
        super().__init__(
            "quantity_invalid", f"Order between 1 and {most} of item {sku!r} in one order."
        )


class OrderLimitExceeded(FailedPrecondition):
    def __init__(self, limit_cents: int) -> None:
        super().__init__(
            "order_limit_exceeded",
            f"An order at this facility may cost at most ${limit_cents / 100:,.2f}.",
        )


class TooManyItems(FailedPrecondition):
    def __init__(self, most: int) -> None:
        super().__init__("too_many_items", f"An order at this facility holds at most {most} items.")


@dataclass(frozen=True)
class CatalogItem:
    sku: str
    name: str
    description: str
    category: str
    price_cents: int
    max_per_order: int
    available: bool = True


@dataclass(frozen=True)
class OrderLine:
    sku: str
    quantity: int


def _whole_above_zero(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value > 0 else None
    text = str(value).strip()
    return int(text) if text.isdigit() and int(text) > 0 else None


def _item(row: Mapping[str, Any]) -> CatalogItem | str:
    """The item a row describes, or what is wrong with it."""
    text = {column: str(row.get(column) or "").strip() for column in CSV_COLUMNS}
    missing = [column for column in ("sku", "name", "category") if not text[column]]
    if missing:
        return "missing " + ", ".join(missing)
    price = _whole_above_zero(row.get("price_cents"))
    if price is None:
        return "price_cents must be a whole number of cents above zero"
    most = _whole_above_zero(row.get("max_per_order"))
    if most is None:
        return "max_per_order must be a whole number above zero"
    return CatalogItem(
        text["sku"], text["name"], text["description"], text["category"], price, most
    )


def read_items(rows: Iterable[Mapping[str, Any]]) -> tuple[CatalogItem, ...]:
    """The items of a whole catalog (CSV rows or a facility event's items), or every problem."""
    items: list[CatalogItem] = []
    problems: list[RowProblem] = []
    seen: set[str] = set()
    for number, row in enumerate(rows, start=1):
        item = _item(row)
        if isinstance(item, str):
            problems.append(RowProblem(number, item))
        elif item.sku in seen:
            problems.append(RowProblem(number, f"sku {item.sku!r} repeats an earlier row"))
        else:
            seen.add(item.sku)
            items.append(item)
    if problems:
        raise CatalogRowInvalid(tuple(problems))
    if not items:
        raise CatalogFileInvalid("it lists no items")
    return tuple(items)


def read_csv(content: bytes) -> tuple[CatalogItem, ...]:
    """Columns sku,name,description,category,price_cents,max_per_order (a header first, in any
    order), UTF-8 (a byte-order mark allowed), prices in whole cents."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise CatalogFileInvalid("it is not UTF-8 text") from None
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [column.strip() for column in reader.fieldnames or ()]
    missing = [column for column in CSV_COLUMNS if column not in header]
    if missing:
        raise CatalogFileInvalid("its header lacks " + ", ".join(missing))
    reader.fieldnames = header
    return read_items(reader)


def check_limits(vendor: str, order_limit_cents: int, max_items_per_order: int) -> None:
    if not vendor.strip():
        raise VendorMissing()
    if _whole_above_zero(order_limit_cents) is None:
        raise CatalogLimitInvalid("order_limit_invalid", "order limit (in cents)")
    if _whole_above_zero(max_items_per_order) is None:
        raise CatalogLimitInvalid("max_items_invalid", "most items per order")


class Catalog(Aggregate):
    class Opened(Aggregate.Created):
        facility_id: str

    class Imported(Aggregate.Event):
        vendor: str
        order_limit_cents: int
        max_items_per_order: int
        items: list[dict[str, Any]]  # the whole catalog, those no longer offered included
        imported_at: datetime

    @staticmethod
    def create_id(facility_id: str) -> UUID:
        return uuid5(_NAMESPACE, f"catalog/{facility_id}")

    @classmethod
    def open(cls, facility_id: str) -> Catalog:
        return cls._create(cls.Opened, id=cls.create_id(facility_id), facility_id=facility_id)

    @event(Opened)
    def __init__(self, facility_id: str) -> None:
        self.facility_id = facility_id
        self.revision = 0
        self.vendor = ""
        self.order_limit_cents = 0
        self.max_items_per_order = 0
        self.items: dict[str, CatalogItem] = {}
        self.imported_at: datetime | None = None

    def replace_with(
        self,
        vendor: str,
        items: tuple[CatalogItem, ...],
        order_limit_cents: int,
        max_items_per_order: int,
        at: datetime,
    ) -> None:
        check_limits(vendor, order_limit_cents, max_items_per_order)
        offered = {item.sku: replace(item, available=True) for item in items}
        gone = {
            sku: replace(item, available=False)
            for sku, item in self.items.items()
            if sku not in offered
        }
        self._imported(
            vendor.strip(),
            order_limit_cents,
            max_items_per_order,
            [asdict(item) for item in (*offered.values(), *gone.values())],
            at.astimezone(UTC),
        )

    @event(Imported)
    def _imported(
        self,
        vendor: str,
        order_limit_cents: int,
        max_items_per_order: int,
        items: list[dict[str, Any]],
        imported_at: datetime,
    ) -> None:
        self.revision += 1
        self.vendor = vendor
        self.order_limit_cents = order_limit_cents
        self.max_items_per_order = max_items_per_order
        self.items = {item["sku"]: CatalogItem(**item) for item in items}
        self.imported_at = imported_at

    @property
    def offered(self) -> tuple[CatalogItem, ...]:
        return tuple(item for item in self.items.values() if item.available)

    def price(self, lines: tuple[OrderLine, ...]) -> tuple[OrderItem, ...]:
        """The order's items at today's prices, within the item's and the facility's limits."""
        if not lines:
            raise OrderLinesMissing()
        priced: list[OrderItem] = []
        for line in lines:
            sku = line.sku.strip()
            item = self.items.get(sku)
            if item is None:
                raise ItemNotFound(sku)
            if not item.available:
                raise ItemUnavailable(sku)
            if any(earlier.sku == sku for earlier in priced):
                raise OrderLineRepeated(sku)
            if not 1 <= line.quantity <= item.max_per_order:
                raise QuantityInvalid(sku, item.max_per_order)
            priced.append(OrderItem(sku, item.name, line.quantity, item.price_cents))
        if sum(item.quantity for item in priced) > self.max_items_per_order:
            raise TooManyItems(self.max_items_per_order)
        if sum(item.total_cents for item in priced) > self.order_limit_cents:
            raise OrderLimitExceeded(self.order_limit_cents)
        return tuple(priced)

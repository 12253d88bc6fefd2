"""The commissary's orders on SQLite and on the real PostgreSQL, built as the service builds
itself (bootstrap) with the ledger of `tests.commissary_orders`, a facility and a resident
recorded, and the facility's catalog imported."""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Iterator
from uuid import UUID
from uuid import uuid4

import pytest
from kinlink_commissary.bootstrap import CommissarySettings
from kinlink_commissary.bootstrap import build_commissary
from kinlink_commissary.domain.catalog import OrderLine
from kinlink_commissary.domain.order import Order
from kinlink_commissary.service_layer.catalogs import ImportCatalog
from kinlink_commissary.service_layer.catalogs import import_catalog
from kinlink_commissary.service_layer.commissary import Commissary
from kinlink_commissary.service_layer.place_order import PlaceOrder
from kinlink_commissary.service_layer.place_order import place_order
from kinlink_kit.testing import STORAGES
from kinlink_kit.testing import Clock
from kinlink_kit.testing import settings_on

from tests.commissary_doubles import MemoryHolds
from tests.commissary_doubles import book
from tests.commissary_doubles import configure
from tests.commissary_orders import CATALOG_CSV
from tests.commissary_orders import FACILITY
from tests.commissary_orders import RESIDENT
from tests.commissary_orders import VENDOR
from tests.commissary_orders import MemoryLedger

# Soap x2 (300) and noodles x4 (300): $6.00.
LINES = (OrderLine("SOAP-1", 2), OrderLine("NOOD-3", 4))


@pytest.fixture(params=STORAGES)
def commissary_settings(request: pytest.FixtureRequest) -> CommissarySettings:
    # Facility settings read afresh by every request: a test changes them between two.
    return settings_on(
        request,
        CommissarySettings,
        kafka_bootstrap=None,
        facility_settings_max_age_seconds=1e-9,
    )


@pytest.fixture
def ledger() -> MemoryLedger:
    return MemoryLedger()


@pytest.fixture
def reopen(
    commissary_settings: CommissarySettings, ledger: MemoryLedger, clock: Clock
) -> Iterator[Callable[[], Commissary]]:
    """Opens the application on the same database, as a process started again would."""
    opened: list[Commissary] = []

    def opening() -> Commissary:
        commissary = build_commissary(commissary_settings, holds=MemoryHolds(), charges=ledger)
        commissary.clock = clock
        opened.append(commissary)
        return commissary

    yield opening
    for app in opened:
        app.close()


@pytest.fixture
def commissary(reopen: Callable[[], Commissary]) -> Commissary:
    """A charge-at-posting facility with a resident held and the vendor's catalog."""
    app = reopen()
    configure(app, FACILITY)
    book(app, RESIDENT, FACILITY)
    import_catalog(app, ImportCatalog(FACILITY, VENDOR, CATALOG_CSV, 5000, 12))
    return app


@pytest.fixture
def family() -> UUID:
    return uuid4()


def place(
    commissary: Commissary,
    family: UUID,
    payment_method: str = "pm_card_visa",
    lines: tuple[OrderLine, ...] = LINES,
    *,
    resident_id: str = RESIDENT,
    order_id: UUID | None = None,
) -> Order:
    return place_order(
        commissary,
        PlaceOrder(order_id or uuid4(), family, FACILITY, resident_id, lines, payment_method),
    )

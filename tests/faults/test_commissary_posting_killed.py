"""A posting run killed by SIGKILL halfway, on SQLite and on the real PostgreSQL, with the real
ledger charging the orders: some orders charged and answered, one charged by the processor and
its answer never recorded, the rest untouched. Run again, every order is PAID, and each is
charged exactly once at the processor and once in the journal."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from uuid import UUID

import pytest
from kinlink_commissary.bootstrap import CommissarySettings
from kinlink_commissary.bootstrap import build_commissary
from kinlink_commissary.domain.catalog import OrderLine
from kinlink_commissary.domain.order import OrderStatus
from kinlink_commissary.service_layer.catalogs import ImportCatalog
from kinlink_commissary.service_layer.catalogs import import_catalog
from kinlink_commissary.service_layer.commissary import Commissary
from kinlink_commissary.service_layer.place_order import PlaceOrder
from kinlink_commissary.service_layer.place_order import place_order
from kinlink_commissary.service_layer.run_posting import run_posting
from kinlink_contracts.demo import FAC_DEMO
from kinlink_kit.testing import STORAGES
from kinlink_kit.testing import Clock
from kinlink_kit.testing import Infra
from kinlink_kit.testing.fixtures import new_database
from kinlink_ledger.adapters.simulated_processor import SimulatedProcessor
from kinlink_ledger.bootstrap import LedgerSettings
from kinlink_ledger.bootstrap import build_ledger
from kinlink_ledger.domain import journal
from kinlink_ledger.service_layer.ledger import Ledger

from tests.commissary_doubles import MemoryHolds
from tests.commissary_doubles import book
from tests.commissary_doubles import configure
from tests.commissary_ledger import LedgerInProcess
from tests.commissary_orders import CATALOG_CSV
from tests.commissary_orders import VENDOR
from tests.conftest import ROOT
from tests.ledger_facilities import D1
from tests.ledger_facilities import configure_demo_facilities

RESIDENT = "R-1"  # booked at FAC-DEMO in the ledger's test facilities
ORDERS, ANSWERED = 6, 3
LINES = (OrderLine("SOAP-1", 2), OrderLine("NOOD-3", 4))  # $6.00


@pytest.fixture(params=STORAGES)
def both_settings(
    request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[tuple[CommissarySettings, LedgerSettings]]:
    if request.param == "sqlite":
        yield (
            CommissarySettings(data_dir=tmp_path, postgres_dsn=None, kafka_bootstrap=None),
            LedgerSettings(data_dir=tmp_path, postgres_dsn=None, kafka_bootstrap=None),
        )
        return
    infra: Infra = request.getfixturevalue("infra")
    with new_database(infra) as commissary_db, new_database(infra) as ledger_db:
        yield (
            CommissarySettings(
                postgres_dsn=infra.postgres_url(commissary_db), kafka_bootstrap=None
            ),
            LedgerSettings(postgres_dsn=infra.postgres_url(ledger_db), kafka_bootstrap=None),
        )


def opened(
    settings: tuple[CommissarySettings, LedgerSettings], state: Path, clock: Clock
) -> tuple[Commissary, Ledger, SimulatedProcessor]:
    processor = SimulatedProcessor(clock=clock, state_file=state)
    ledger = build_ledger(settings[1], processor)
    ledger.clock = clock
    commissary = build_commissary(settings[0], holds=MemoryHolds(), charges=LedgerInProcess(ledger))
    commissary.clock = clock
    return commissary, ledger, processor


def killed_halfway(
    settings: tuple[CommissarySettings, LedgerSettings], state: Path, clock: Clock
) -> None:
    process = subprocess.run(
        [
            sys.executable,
            "-m",
            "tests.faults.commissary_killed_posting",
            settings[0].model_dump_json(),
            settings[1].model_dump_json(),
            str(state),
            clock.now.isoformat(),
            str(ANSWERED),
        ],
        cwd=ROOT,
        capture_output=True,
        timeout=300,
    )
    assert process.returncode == -9, process.stderr.decode()[-3000:]


def statuses(commissary: Commissary, orders: list[UUID]) -> list[OrderStatus]:
    return [commissary.store.repository.get(order_id).status for order_id in orders]


def test_a_posting_run_killed_halfway_and_run_again_charges_each_order_once(
    both_settings: tuple[CommissarySettings, LedgerSettings], tmp_path: Path, clock: Clock
) -> None:
    state = tmp_path / "processor.json"
    commissary, ledger, _ = opened(both_settings, state, clock)
    configure_demo_facilities(ledger)
    configure(commissary, FAC_DEMO)
    book(commissary, RESIDENT, FAC_DEMO)
    import_catalog(commissary, ImportCatalog(FAC_DEMO, VENDOR, CATALOG_CSV, 5000, 12))
    orders = [
        place_order(
            commissary,
            PlaceOrder(order_id, UUID(D1), FAC_DEMO, RESIDENT, LINES, "pm_card_visa"),
        ).id
        for order_id in (UUID(int=n + 1) for n in range(ORDERS))
    ]
    commissary.close()
    ledger.close()

    killed_halfway(both_settings, state, clock)

    commissary, ledger, processor = opened(both_settings, state, clock)
    charged_before_rerun = [processor.charges(order_id=str(order_id)) for order_id in orders]
    assert charged_before_rerun.count([600]) == ANSWERED + 1, "one charge was in flight"
    assert statuses(commissary, orders).count(OrderStatus.PAID) == ANSWERED
    assert statuses(commissary, orders).count(OrderStatus.PROCESSING) == 1

    rerun = run_posting(commissary, FAC_DEMO)
    assert (rerun.orders_total, rerun.paid, rerun.still_processing) == (ORDERS - ANSWERED, 3, 0)
    assert statuses(commissary, orders) == [OrderStatus.PAID] * ORDERS
    assert [processor.charges(order_id=str(order_id)) for order_id in orders] == [[600]] * ORDERS
    assert processor.captured_total == ORDERS * 600
    assert ledger.views.journal.balance(journal.CARD_CLEARING) == ORDERS * 600
    revenue = journal.service_revenue(FAC_DEMO, "commissary")
    assert ledger.views.journal.balance(revenue) == -ORDERS * 600
    assert sum(balance.balance for balance in ledger.views.journal.balances()) == 0
    receipts = {commissary.store.repository.get(order_id).receipt_number for order_id in orders}
    assert len(receipts) == ORDERS
    commissary.close()
    ledger.close()

"""`make bench`: the commissary's posting run on the real PostgreSQL: orders posted per second.

ORDERS orders (BENCH_ORDERS) wait, Ready to Process, at one charge-at-posting facility; one
posting run charges them all through the real ledger (its own database, the simulated card
processor), each order saved PROCESSING, charged, and saved PAID one after the other, as the
run does to keep a crash to one order in flight. The same run against a ledger that answers at
once (no database) shows what the commissary's own two saves per order cost.
"""

from __future__ import annotations

import os
import time
import uuid
from datetime import UTC
from datetime import datetime

from kinlink_commissary.bootstrap import CommissarySettings
from kinlink_commissary.bootstrap import build_commissary
from kinlink_commissary.domain.catalog import OrderLine
from kinlink_commissary.domain.ports import OrderCharges
from kinlink_commissary.service_layer.catalogs import ImportCatalog
from kinlink_commissary.service_layer.catalogs import import_catalog
from kinlink_commissary.service_layer.commissary import Commissary
from kinlink_commissary.service_layer.place_order import PlaceOrder
from kinlink_commissary.service_layer.place_order import place_order
from kinlink_commissary.service_layer.run_posting import run_posting
from kinlink_contracts.demo import FAC_DEMO
from kinlink_kit.logging import configure_logging
from kinlink_ledger.adapters.simulated_processor import SimulatedProcessor
from kinlink_ledger.bootstrap import LedgerSettings
from kinlink_ledger.bootstrap import build_ledger
from prometheus_client import REGISTRY

from benchmarks.deposits import pgbench_tps
from benchmarks.harness import counting
from benchmarks.harness import create_database
from benchmarks.harness import infra_env
from tests.commissary_doubles import MemoryHolds
from tests.commissary_doubles import book
from tests.commissary_doubles import configure
from tests.commissary_ledger import LedgerInProcess
from tests.commissary_orders import CATALOG_CSV
from tests.commissary_orders import VENDOR
from tests.commissary_orders import MemoryLedger
from tests.ledger_facilities import D1
from tests.ledger_facilities import configure_demo_facilities

ORDERS = int(os.environ.get("BENCH_ORDERS", "1000"))
RESIDENT = "R-1"
LINES = (OrderLine("SOAP-1", 2), OrderLine("NOOD-3", 4))
ORDER_CHARGES = "kinlink_commissary_order_charges_total"
# A large jail's week of 10,000 orders posted within 10 minutes of its posting time.
TARGET_ORDERS_PER_SECOND = 20


def commissary_on(env: dict[str, str], charges: OrderCharges) -> Commissary:
    database = create_database(env, "commissary")
    settings = CommissarySettings(
        postgres_dsn=env["KINLINK_POSTGRES_DSN"].replace("{database}", database),
        kafka_bootstrap=None,
    )
    commissary = build_commissary(settings, holds=MemoryHolds(), charges=charges)
    configure(commissary, FAC_DEMO)
    book(commissary, RESIDENT, FAC_DEMO)
    import_catalog(commissary, ImportCatalog(FAC_DEMO, VENDOR, CATALOG_CSV, 5000, 12))
    family = uuid.UUID(D1)
    for _ in range(ORDERS):
        place_order(
            commissary,
            PlaceOrder(uuid.uuid4(), family, FAC_DEMO, RESIDENT, LINES, "pm_card_visa"),
        )
    return commissary


def charged() -> float:
    """Orders charged so far in this process, whatever the outcome."""
    return sum(
        REGISTRY.get_sample_value(ORDER_CHARGES, {"outcome": outcome}) or 0.0
        for outcome in ("captured", "declined", "unanswered")
    )


def posted_per_second(what: str, commissary: Commissary) -> float:
    started = time.perf_counter()
    with counting("orders charged", charged):
        run = run_posting(commissary, FAC_DEMO)
    seconds = time.perf_counter() - started
    assert (run.orders_total, run.paid) == (ORDERS, ORDERS), run
    rate = ORDERS / seconds
    print(f"{what}: {ORDERS} orders posted in {seconds:.1f}s: {rate:,.0f} orders/s", flush=True)
    return rate


def main() -> None:
    configure_logging("bench", "WARNING")
    env = infra_env()
    ceiling = pgbench_tps(env)
    print("\n== Kinlink commissary: posting runs ==", flush=True)

    ledger_database = create_database(env, "ledger")
    ledger = build_ledger(
        LedgerSettings(
            postgres_dsn=env["KINLINK_POSTGRES_DSN"].replace("{database}", ledger_database),
            kafka_bootstrap=None,
        ),
        SimulatedProcessor(clock=lambda: datetime.now(UTC)),
    )
    configure_demo_facilities(ledger)
    with_ledger = commissary_on(env, LedgerInProcess(ledger))
    rate = posted_per_second("through the ledger (PostgreSQL both)", with_ledger)
    left = with_ledger.views.orders.to_post(FAC_DEMO)
    assert left == [], f"{len(left)} orders left unposted"
    with_ledger.close()
    ledger.close()

    alone = commissary_on(env, MemoryLedger())
    posted_per_second("the commissary alone (a ledger answering at once)", alone)
    alone.close()

    print(f"machine ceiling: pgbench {ceiling:,.0f} TPS (TPC-B-like, 2 clients, same server)")
    verdict = "met" if rate >= TARGET_ORDERS_PER_SECOND else "MISSED"
    print(f"target {TARGET_ORDERS_PER_SECOND} orders/s through the ledger: {verdict}", flush=True)
    if rate < TARGET_ORDERS_PER_SECOND:
        raise SystemExit(1)


if __name__ == "__main__":
    main()

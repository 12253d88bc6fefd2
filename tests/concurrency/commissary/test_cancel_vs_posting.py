"""A family cancelling orders while the facility's posting run charges them, on the real
PostgreSQL, each side in its own replica of the commissary (its own application on the shared
database) and the real ledger charging: a cancel either wins (the order CANCELLED, never
charged) or, once the run took the order, is refused (`order_being_processed`): never both, and
the run's count of paid orders is what was charged."""

from __future__ import annotations

import queue
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from uuid import UUID
from uuid import uuid4

import pytest
from kinlink_commissary.bootstrap import CommissarySettings
from kinlink_commissary.bootstrap import build_commissary
from kinlink_commissary.domain.catalog import OrderLine
from kinlink_commissary.domain.order import OrderStatus
from kinlink_commissary.domain.ports import ChargeRequest
from kinlink_commissary.domain.ports import OrderCharge
from kinlink_commissary.service_layer.catalogs import ImportCatalog
from kinlink_commissary.service_layer.catalogs import import_catalog
from kinlink_commissary.service_layer.change_order import cancel_order
from kinlink_commissary.service_layer.commissary import Commissary
from kinlink_commissary.service_layer.place_order import PlaceOrder
from kinlink_commissary.service_layer.place_order import place_order
from kinlink_commissary.service_layer.run_posting import run_posting
from kinlink_contracts.demo import FAC_DEMO
from kinlink_kit.auth import Principal
from kinlink_kit.auth import Role
from kinlink_kit.errors import FailedPrecondition
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
from tests.ledger_facilities import D1
from tests.ledger_facilities import configure_demo_facilities

ORDERS = 40
LINES = (OrderLine("SOAP-1", 2), OrderLine("NOOD-3", 4))  # $6.00
FAMILY = Principal(D1, frozenset({Role.FAMILY_MEMBER}))


@pytest.fixture
def ledger(infra: Infra, clock: Clock) -> Iterator[tuple[Ledger, SimulatedProcessor]]:
    with new_database(infra) as database:
        processor = SimulatedProcessor(clock=clock)
        ledger = build_ledger(
            LedgerSettings(postgres_dsn=infra.postgres_url(database), kafka_bootstrap=None),
            processor,
        )
        ledger.clock = clock
        configure_demo_facilities(ledger)
        yield ledger, processor
        ledger.close()


@pytest.fixture
def replicas(
    infra: Infra, fresh_database: str, ledger: tuple[Ledger, SimulatedProcessor], clock: Clock
) -> Iterator[tuple[Commissary, Commissary]]:
    settings = CommissarySettings(
        postgres_dsn=infra.postgres_url(fresh_database), kafka_bootstrap=None
    )
    apps = []
    for _ in range(2):
        app = build_commissary(settings, holds=MemoryHolds(), charges=LedgerInProcess(ledger[0]))
        app.clock = clock
        apps.append(app)
    yield apps[0], apps[1]
    for app in apps:
        app.close()


class ChargingSlowly(LedgerInProcess):
    """The ledger, telling the family side which order it is about to charge and waiting
    until that side has tried to cancel it: the cancel lands while the charge is in flight."""

    def __init__(self, ledger: Ledger) -> None:
        super().__init__(ledger)
        self.charging: queue.Queue[UUID] = queue.Queue()
        self.tried: queue.Queue[UUID] = queue.Queue()

    def charge(self, request: ChargeRequest) -> OrderCharge:
        self.charging.put(request.order_id)
        assert self.tried.get(timeout=30) == request.order_id
        return super().charge(request)


def test_a_cancel_racing_the_posting_run_wins_or_is_refused_never_both(
    replicas: tuple[Commissary, Commissary], ledger: tuple[Ledger, SimulatedProcessor]
) -> None:
    poster, family_side = replicas
    slowed = ChargingSlowly(ledger[0])
    poster.charges = slowed
    configure(poster, FAC_DEMO)
    book(poster, "R-1", FAC_DEMO)
    import_catalog(poster, ImportCatalog(FAC_DEMO, VENDOR, CATALOG_CSV, 5000, 12))
    # The run takes them by id (all placed at the same instant).
    orders = sorted(
        place_order(
            poster, PlaceOrder(uuid4(), UUID(D1), FAC_DEMO, "R-1", LINES, "pm_card_visa")
        ).id
        for _ in range(ORDERS)
    )
    outcomes: dict[UUID, str] = {}

    def cancel(order_id: UUID) -> None:
        try:
            outcomes[order_id] = cancel_order(family_side, FAMILY, order_id).status.value
        except FailedPrecondition as refusal:
            outcomes[order_id] = refusal.code

    def cancelling() -> None:
        """Each order the run charges is cancelled while in flight, and the one after it
        before the run gets there."""
        for _ in range(ORDERS // 2):
            charging = slowed.charging.get(timeout=30)
            cancel(charging)
            following = orders.index(charging) + 1
            if following < ORDERS:
                cancel(orders[following])
            slowed.tried.put(charging)

    with ThreadPoolExecutor(2) as pool:
        run = pool.submit(run_posting, poster, FAC_DEMO)
        pool.submit(cancelling).result()
        paid = run.result().paid

    the_ledger, processor = ledger
    assert outcomes == {
        order_id: "order_being_processed" if n % 2 == 0 else "cancelled"
        for n, order_id in enumerate(orders)
    }
    for order_id in orders:
        order = poster.store.repository.get(order_id)
        charges = processor.charges(order_id=str(order_id))
        if outcomes[order_id] == "cancelled":
            assert (order.status, order.attempt, charges) == (OrderStatus.CANCELLED, 0, [])
        else:
            assert (order.status, charges) == (OrderStatus.PAID, [600])
    assert paid == ORDERS // 2
    assert the_ledger.views.journal.balance(journal.CARD_CLEARING) == paid * 600

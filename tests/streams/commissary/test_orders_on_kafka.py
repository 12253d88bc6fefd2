"""The commissary's orders on the real Kafka broker and PostgreSQL: a paid order's events reach
kinlink.commissary.events.v1 keyed by its resident (OrderPaid with what the vendor fulfils and
identity emails), and a facility's catalog that breaks a rule goes to the dead-letter topic with
its code while the next one is imported."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from aiokafka.structs import ConsumerRecord
from kinlink_commissary.adapters.integration_events import CommissaryEventTranslator
from kinlink_commissary.bootstrap import CommissarySettings
from kinlink_commissary.bootstrap import build_commissary
from kinlink_commissary.domain.catalog import Catalog
from kinlink_commissary.domain.catalog import OrderLine
from kinlink_commissary.entrypoints.facility_events import FACILITY_HANDLERS
from kinlink_commissary.service_layer.catalogs import ImportCatalog
from kinlink_commissary.service_layer.catalogs import import_catalog
from kinlink_commissary.service_layer.commissary import Commissary
from kinlink_commissary.service_layer.place_order import PlaceOrder
from kinlink_commissary.service_layer.place_order import place_order
from kinlink_contracts.commissary import OrderPaid
from kinlink_contracts.commissary import OrderPlaced
from kinlink_contracts.envelope import Envelope
from kinlink_contracts.facility import CatalogItem
from kinlink_contracts.facility import CommissaryCatalogPublished
from kinlink_contracts.facility_settings import CommissaryPaymentMode
from kinlink_contracts.topics import COMMISSARY_EVENTS
from kinlink_contracts.topics import FACILITY_EVENTS
from kinlink_kit.bus import KafkaBus
from kinlink_kit.consumer import consume
from kinlink_kit.testing import Clock
from kinlink_kit.testing import Infra
from kinlink_kit.testing import eventually

from tests.commissary_doubles import MemoryHolds
from tests.commissary_doubles import book
from tests.commissary_doubles import configure
from tests.commissary_orders import CATALOG_CSV
from tests.commissary_orders import FACILITY
from tests.commissary_orders import VENDOR
from tests.commissary_orders import MemoryLedger
from tests.streams.identity.test_identity_facility_events import skip_earlier_events
from tests.streams.kafka_helpers import dead_letter_of
from tests.streams.kafka_helpers import produce
from tests.streams.kafka_helpers import read_topic
from tests.streams.kafka_helpers import relay_once


@pytest.fixture
def commissary(infra: Infra, fresh_database: str, clock: Clock) -> Iterator[Commissary]:
    settings = CommissarySettings(postgres_dsn=infra.postgres_url(fresh_database))
    app = build_commissary(settings, holds=MemoryHolds(), charges=MemoryLedger())
    app.clock = clock
    yield app
    app.close()


async def test_a_paid_order_reaches_the_topic_keyed_by_its_resident(
    infra: Infra, commissary: Commissary
) -> None:
    resident = f"R-{uuid.uuid4().hex[:8]}"  # the topic keeps earlier runs' orders
    configure(commissary, FACILITY, commissary_payment_mode=CommissaryPaymentMode.PAY_AT_ORDER)
    book(commissary, resident, FACILITY)
    import_catalog(commissary, ImportCatalog(FACILITY, VENDOR, CATALOG_CSV, 5000, 12))
    family = uuid.uuid4()
    order = place_order(
        commissary,
        PlaceOrder(
            uuid.uuid4(), family, FACILITY, resident, (OrderLine("CAFE-2", 2),), "pm_card_visa"
        ),
    )

    await relay_once(
        infra.kafka_bootstrap,
        commissary.store,
        CommissaryEventTranslator(commissary.store),
        "test-commissary-outbox",
    )

    def ours(record: ConsumerRecord[bytes, bytes]) -> bool:
        return str(order.id).encode() in record.value

    records = await read_topic(
        infra.kafka_bootstrap, COMMISSARY_EVENTS, until=lambda rs: sum(map(ours, rs)) >= 2
    )
    envelopes = [Envelope.from_bytes(r.value) for r in records if ours(r)]
    assert [(e.type, e.key) for e in envelopes] == [
        ("OrderPlaced", resident),
        ("OrderPaid", resident),
    ]
    assert OrderPlaced.model_validate(envelopes[0].payload).total_cents == 998
    paid = OrderPaid.model_validate(envelopes[1].payload)
    assert (paid.account_id, paid.vendor, paid.total_cents, paid.receipt_number) == (
        family,
        VENDOR,
        998,
        "C-000001",
    )
    assert [(i.sku, i.name, i.quantity, i.unit_price_cents) for i in paid.items] == [
        ("CAFE-2", "Instant coffee", 2, 499)
    ]
    assert not any(b"pm_card" in r.value for r in records if ours(r)), "no card in an event"


async def test_a_catalog_breaking_a_rule_is_dead_lettered_and_the_next_imported(
    infra: Infra, commissary: Commissary
) -> None:
    run = uuid.uuid4().hex[:8]
    group = f"test-commissary-{run}"
    facility = f"FAC-{run}"
    await skip_earlier_events(infra.kafka_bootstrap, FACILITY_EVENTS, group)
    configure(commissary, facility)
    soap = CatalogItem(
        sku="SOAP-1", name="Soap", category="Hygiene", price_cents=150, max_per_order=3
    )

    def published(*items: CatalogItem) -> Envelope:
        catalog = CommissaryCatalogPublished(
            facility_id=facility,
            vendor=VENDOR,
            order_limit_cents=5000,
            max_items_per_order=12,
            items=items,
        )
        return Envelope.wrap(catalog, key=facility, producer="vendor", correlation_id=run)

    repeated, good = published(soap, soap), published(soap)
    await produce(
        infra.kafka_bootstrap,
        FACILITY_EVENTS,
        [(facility.encode(), e.to_bytes()) for e in (repeated, good)],
    )
    bus = KafkaBus(infra.kafka_bootstrap, client_id="test-commissary-catalogs")
    consume(commissary, bus, group, {FACILITY_EVENTS: FACILITY_HANDLERS})

    async def imported() -> bool:
        return commissary.find(Catalog.create_id(facility), Catalog) is not None

    await bus.start()
    try:
        await eventually(imported)
    finally:
        await bus.stop()
    catalog = commissary.store.repository.get(Catalog.create_id(facility))
    assert (catalog.revision, list(catalog.items)) == (1, ["SOAP-1"])

    letter, headers = await dead_letter_of(infra.kafka_bootstrap, FACILITY_EVENTS, group)
    assert letter.value == repeated.to_bytes()
    assert "catalog_row_invalid" in headers["dlq-error"]

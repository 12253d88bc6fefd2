"""The commissary follows the vendor's tracking on the real broker: a paid order's pack shipped
once though the news comes twice, then delivered; a shipping notice for an order not paid goes
to the dead-letter topic with its code."""

from __future__ import annotations

import uuid
from datetime import timedelta

from kinlink_commissary.bootstrap import CommissarySettings
from kinlink_commissary.bootstrap import commissary_service
from kinlink_commissary.domain.order import Fulfilment
from kinlink_contracts.facility import CommissaryPackDelivered
from kinlink_contracts.facility import CommissaryPackShipped
from kinlink_contracts.topics import FACILITY_EVENTS
from kinlink_contracts.topics import IDENTITY_EVENTS
from kinlink_contracts.topics import dead_letter_topic
from kinlink_kit.bus import KafkaBus
from kinlink_kit.testing import Clock
from kinlink_kit.testing import Infra
from kinlink_kit.testing import eventually
from kinlink_kit.testing import serving

from tests.commissary_fulfilment import RESIDENT
from tests.commissary_fulfilment import open_commissary
from tests.commissary_fulfilment import order_now
from tests.commissary_fulfilment import paid
from tests.commissary_fulfilment import placed
from tests.conftest import TokenKeys
from tests.streams.identity.test_identity_facility_events import skip_earlier_events
from tests.streams.kafka_helpers import produce
from tests.streams.kafka_helpers import read_topic
from tests.topic_feed import wrapped


async def test_tracking_news_takes_effect_once_and_an_unpaid_orders_is_dead_lettered(
    infra: Infra, fresh_database: str, clock: Clock, token_keys: TokenKeys
) -> None:
    group = f"test-commissary-{uuid.uuid4().hex[:8]}"
    settings = CommissarySettings(
        postgres_dsn=infra.postgres_url(fresh_database),
        kafka_bootstrap=infra.kafka_bootstrap,
        consumer_group=group,
        outbox_relay=False,
    )
    for topic in (FACILITY_EVENTS, IDENTITY_EVENTS):
        await skip_earlier_events(infra.kafka_bootstrap, topic, group)
    commissary = open_commissary(settings, clock)
    order, unpaid = paid(commissary), placed(commissary)
    shipped = wrapped(
        CommissaryPackShipped(order_id=order.id, carrier="USPS", tracking_number="9400"),
        RESIDENT,
        "vendor",
    )
    not_paid = wrapped(
        CommissaryPackShipped(order_id=unpaid.id, carrier="USPS", tracking_number="9401"),
        RESIDENT,
        "vendor",
    )
    delivered = wrapped(
        CommissaryPackDelivered(order_id=order.id, delivered_at=clock.now + timedelta(days=3)),
        RESIDENT,
        "vendor",
    )
    # One key, one partition: the delivery is handled after the rest.
    await produce(
        infra.kafka_bootstrap,
        FACILITY_EVENTS,
        [(RESIDENT.encode(), e.to_bytes()) for e in (not_paid, shipped, shipped, delivered)],
    )

    async def delivered_in_the_store() -> bool:
        return order_now(commissary, order).fulfilment is Fulfilment.DELIVERED

    bus = KafkaBus(infra.kafka_bootstrap, client_id="test-commissary")
    # The service closes the application when it stops, as a process does.
    async with serving([commissary_service(settings, bus, commissary)], bus, token_keys.verifier()):
        await eventually(delivered_in_the_store)
        now = order_now(commissary, order)
        assert now.version == order.version + 2, "shipped once, delivered once"
        assert (now.carrier, now.tracking_number) == ("USPS", "9400")
        assert order_now(commissary, unpaid).fulfilment is Fulfilment.NOT_SHIPPED
        dead = await read_topic(
            infra.kafka_bootstrap,
            dead_letter_topic(FACILITY_EVENTS),
            until=lambda records: any(r.value == not_paid.to_bytes() for r in records),
        )
    [ours] = [r for r in dead if dict(r.headers)["dlq-group"] == group.encode()]
    headers = {k: v.decode() for k, v in ours.headers}
    assert headers["dlq-error-type"] == "FulfilmentEventRejected"
    assert "order_not_paid" in headers["dlq-error"]
    assert ours.value == not_paid.to_bytes()

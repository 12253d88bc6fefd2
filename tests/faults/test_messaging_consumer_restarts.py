"""Messaging's consumer of identity's events (its handlers, as its bootstrap subscribes them)
while its database, then its broker, restarts: every resident identity booked is in messaging's
directory once, none dead-lettered."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from collections.abc import Iterator
from typing import Any

import pytest
from kinlink_contracts.demo import resident_booked
from kinlink_contracts.topics import dead_letter_topic
from kinlink_kit.bus import KafkaBus
from kinlink_kit.consumer import consume
from kinlink_kit.testing import Infra
from kinlink_messaging.bootstrap import MessagingSettings
from kinlink_messaging.bootstrap import build_messaging
from kinlink_messaging.entrypoints.identity_events import IDENTITY_HANDLERS
from kinlink_messaging.service_layer.messaging import Messaging

from tests.faults.test_server_restarts import EVENTS
from tests.faults.test_server_restarts import KEYS
from tests.faults.test_server_restarts import consume_through_a_restart
from tests.messaging_doubles import MemoryImageStore
from tests.messaging_doubles import MemorySmsPictures
from tests.messaging_doubles import MemoryWallet
from tests.messaging_doubles import demo_directory
from tests.streams.kafka_helpers import count_records
from tests.streams.kafka_helpers import create_topics
from tests.tally import unique_topic

FACILITY = f"FAC-{uuid.uuid4().hex[:8]}"
BOOKED = "ResidentEntry.Booked"
GROUP = "messaging"


def booked(n: int) -> tuple[bytes, bytes]:
    """Identity booked resident R-n (the event's Kafka key spreads them over the partitions)."""
    return f"k{n % KEYS}".encode(), resident_booked(FACILITY, f"R-{n}").to_bytes()


def opened(postgres_dsn: str, database: str) -> Messaging:
    settings = MessagingSettings(postgres_dsn=postgres_dsn, database=database)
    return build_messaging(
        settings,
        images=MemoryImageStore(),
        wallet=MemoryWallet(demo_directory()),
        sms_pictures=MemorySmsPictures(),
    )


def subscribing(messaging: Messaging, topic: str) -> Callable[[KafkaBus], object]:
    """Messaging's handlers of identity's events in `GROUP`, on the test's own topic."""
    return lambda bus: consume(messaging, bus, GROUP, {topic: IDENTITY_HANDLERS})


def residents_booked(messaging: Messaging) -> list[int]:
    """The `n` of each resident R-n recorded booked in messaging's store, once per record."""
    notifications = messaging.store.recorder.select_notifications(start=1, limit=1_000_000)
    return [
        int(json.loads(x.state)["resident_id"].removeprefix("R-"))
        for x in notifications
        if x.topic.endswith(BOOKED)
    ]


@pytest.fixture
def messaging_on_private_postgres(private_postgres: Any) -> Iterator[Messaging]:
    messaging = opened(private_postgres.dsn, "kinlink_faults")
    yield messaging
    messaging.close()


async def test_messaging_hears_identity_through_a_postgresql_restart(
    infra: Infra, private_postgres: Any, messaging_on_private_postgres: Messaging
) -> None:
    topic = unique_topic("messaging-postgres-restart")
    messaging = messaging_on_private_postgres
    applied = await consume_through_a_restart(
        subscribing(messaging, topic),
        lambda: residents_booked(messaging),
        infra.kafka_bootstrap,
        topic,
        private_postgres.stop,
        private_postgres.start,
        publish_while_down=True,
        event=booked,
    )
    assert sorted(applied) == list(range(EVENTS + KEYS))  # none lost, none twice
    assert await count_records(infra.kafka_bootstrap, dead_letter_topic(topic)) == 0


async def test_messaging_hears_identity_through_a_kafka_restart(
    infra: Infra, private_kafka: Any, fresh_database: str
) -> None:
    topic = unique_topic("messaging-kafka-restart")
    await create_topics(private_kafka.bootstrap, topic, dead_letter_topic(topic))
    messaging = opened(infra.postgres_dsn, fresh_database)
    try:
        applied = await consume_through_a_restart(
            subscribing(messaging, topic),
            lambda: residents_booked(messaging),
            private_kafka.bootstrap,
            topic,
            private_kafka.stop,
            private_kafka.start,
            publish_while_down=False,
            event=booked,
        )
    finally:
        messaging.close()
    assert sorted(applied) == list(range(EVENTS + KEYS))
    assert await count_records(private_kafka.bootstrap, dead_letter_topic(topic)) == 0

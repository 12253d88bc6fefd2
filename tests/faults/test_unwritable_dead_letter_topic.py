"""A poison message while its dead-letter topic cannot be written (deleted, auto-create off):
not acknowledged, retried until the topic is back; nothing behind it lost."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from aiokafka import AIOKafkaConsumer
from aiokafka import TopicPartition
from kinlink_contracts.topics import dead_letter_topic
from kinlink_kit.bus import KafkaBus
from kinlink_kit.consumer import TrackingConsumer
from kinlink_kit.eventstore import store_env
from kinlink_kit.settings import ServiceSettings
from kinlink_kit.testing import Infra
from kinlink_kit.testing import eventually

from tests.faults.test_server_restarts import Event
from tests.streams.kafka_helpers import create_topics
from tests.streams.kafka_helpers import delete_topic
from tests.streams.kafka_helpers import produce
from tests.streams.kafka_helpers import read_topic
from tests.tally import Tallies
from tests.tally import counted
from tests.tally import retries
from tests.tally import unique_topic

GROUP = "tallies"


async def committed(bootstrap: str, topic: str, group: str) -> int | None:
    """The offset `group` committed on partition 0 of `topic`."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=group)
    await consumer.start()
    try:
        return await consumer.committed(TopicPartition(topic, 0))
    finally:
        await consumer.stop()


async def a_poison_message_waits_for_its_dead_letter_topic(
    subscribe: Callable[[KafkaBus], object],
    applied: Callable[[], list[int]],
    bootstrap: str,
    topic: str,
    group: str,
    *,
    event: Event = counted,
) -> None:
    """A poison message, then events 1 and 2 (`event(n)`), on one partition of `topic` whose
    dead-letter topic is deleted, consumed by the consumer `subscribe` puts on the bus in
    `group`: nothing moves until the dead-letter topic exists again, then the poison message
    is dead-lettered and the events `applied`."""
    await create_topics(bootstrap, topic, dead_letter_topic(topic), partitions=1)
    await delete_topic(bootstrap, dead_letter_topic(topic))
    poison = f"not an envelope {uuid.uuid4()}".encode()
    await produce(bootstrap, topic, [(b"k", poison), event(1), event(2)])
    bus = KafkaBus(bootstrap, client_id="faults", request_timeout_ms=1000)
    subscribe(bus)
    await bus.start()
    try:

        async def retried_twice() -> bool:
            return retries(topic) >= 2

        await eventually(retried_twice)
        assert applied() == []  # nothing behind the poison message moved
        assert await committed(bootstrap, topic, group) is None

        await create_topics(bootstrap, dead_letter_topic(topic), partitions=1)

        async def all_applied() -> bool:
            return sorted(applied()) == [1, 2]

        await eventually(all_applied)
    finally:
        await bus.stop()
    letters = await read_topic(bootstrap, dead_letter_topic(topic), until=lambda rs: len(rs) >= 1)
    assert [r.value for r in letters] == [poison]
    assert await committed(bootstrap, topic, group) == 3


async def test_a_poison_message_waits_for_its_dead_letter_topic(
    private_kafka: Any, fresh_database: str, infra: Infra
) -> None:
    tallies = Tallies(store_env(ServiceSettings(postgres_dsn=infra.postgres_dsn), fresh_database))
    topic = unique_topic("unwritable-dlq")

    def subscribe(bus: KafkaBus) -> object:
        return TrackingConsumer(
            tallies, bus, topic, GROUP, {"Counted": tallies.count}, max_retry_seconds=0.5
        )

    try:
        await a_poison_message_waits_for_its_dead_letter_topic(
            subscribe, tallies.counted, private_kafka.bootstrap, topic, GROUP
        )
    finally:
        tallies.close()

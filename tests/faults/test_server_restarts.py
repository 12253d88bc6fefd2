"""A consumer handling a stream of events while its database, then its broker, restarts: every
event applied exactly once, none dead-lettered."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from kinlink_contracts.topics import dead_letter_topic
from kinlink_kit.bus import KafkaBus
from kinlink_kit.consumer import TrackingConsumer
from kinlink_kit.eventstore import store_env
from kinlink_kit.settings import ServiceSettings

from tests.conftest import Infra
from tests.faults.tally import Tallies, counted, retries, unique_topic
from tests.serving import eventually
from tests.streams.kafka_helpers import count_records, create_topics, produce

EVENTS = 1000
DOWN_SECONDS = 6.0  # longer than the store's own retries of a lost connection


async def consume_through_a_restart(
    tallies: Tallies, bootstrap: str, topic: str, stop: Callable[[], Any], start: Callable[[], Any]
) -> list[int]:
    """Consume `topic` while the server is stopped and started again once a fifth of the
    events are applied; returns what was applied, once all events are."""
    bus = KafkaBus(bootstrap, client_id="faults")
    TrackingConsumer(
        tallies, bus, topic, "tallies", {"Counted": tallies.count}, max_retry_seconds=1.0
    )
    await bus.start()
    try:

        async def some_applied() -> bool:
            return len(await asyncio.to_thread(tallies.counted)) >= EVENTS // 5

        async def all_applied() -> bool:
            return len(set(await asyncio.to_thread(tallies.counted))) == EVENTS

        await eventually(some_applied)
        await asyncio.to_thread(stop)
        await asyncio.sleep(DOWN_SECONDS)  # the consumer meets the outage meanwhile
        await asyncio.to_thread(start)
        await eventually(all_applied, timeout=180)
        await asyncio.sleep(1.0)  # anything delivered twice would be applied by now
        return await asyncio.to_thread(tallies.counted)
    finally:
        await bus.stop()


async def test_a_postgresql_restart_loses_and_doubles_nothing(
    infra: Infra, private_postgres: Any
) -> None:
    topic = unique_topic("postgres-restart")
    await produce(infra.kafka_bootstrap, topic, [counted(n) for n in range(EVENTS)])
    tallies = Tallies(
        store_env(ServiceSettings(postgres_dsn=private_postgres.dsn), "kinlink_faults")
    )
    try:
        applied = await consume_through_a_restart(
            tallies, infra.kafka_bootstrap, topic, private_postgres.stop, private_postgres.start
        )
    finally:
        tallies.close()
    assert retries(topic) > 0  # the consumer met the outage
    assert sorted(applied) == list(range(EVENTS))  # none lost, none twice
    assert await count_records(infra.kafka_bootstrap, dead_letter_topic(topic)) == 0


async def test_a_kafka_broker_restart_loses_and_doubles_nothing(
    infra: Infra, private_kafka: Any, fresh_database: str
) -> None:
    topic = unique_topic("kafka-restart")
    await create_topics(private_kafka.bootstrap, topic, dead_letter_topic(topic))
    await produce(private_kafka.bootstrap, topic, [counted(n) for n in range(EVENTS)])
    tallies = Tallies(store_env(ServiceSettings(postgres_dsn=infra.postgres_dsn), fresh_database))
    try:
        applied = await consume_through_a_restart(
            tallies, private_kafka.bootstrap, topic, private_kafka.stop, private_kafka.start
        )
    finally:
        tallies.close()
    assert sorted(applied) == list(range(EVENTS))
    assert await count_records(private_kafka.bootstrap, dead_letter_topic(topic)) == 0

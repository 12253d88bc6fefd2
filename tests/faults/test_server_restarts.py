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
from kinlink_kit.testing import Infra
from kinlink_kit.testing import eventually

from tests.streams.kafka_helpers import count_records
from tests.streams.kafka_helpers import create_topics
from tests.streams.kafka_helpers import produce
from tests.tally import Tallies
from tests.tally import counted
from tests.tally import unique_topic

EVENTS = 1000
DOWN_SECONDS = 6.0
# Published once all events are applied, one for each of `counted`'s keys: a partition's events
# delivered twice would come before its last event, so with these applied the count is final.
LAST = [counted(n) for n in range(EVENTS, EVENTS + 7)]


async def consume_through_a_restart(
    tallies: Tallies,
    bootstrap: str,
    topic: str,
    stop: Callable[[], Any],
    start: Callable[[], Any],
    *,
    publish_while_down: bool,
) -> list[int]:
    """Consume `topic` while the server stops and starts again: a fifth of the events are
    applied before, the rest published while the server is down (the database: the consumer
    meets the outage) or once it is back (the broker, which cannot take them meanwhile), so the
    consumer cannot have finished before the fault. Returns what was applied, once all is."""
    before, rest = EVENTS // 5, [counted(n) for n in range(EVENTS // 5, EVENTS)]
    await produce(bootstrap, topic, [counted(n) for n in range(before)])
    bus = KafkaBus(bootstrap, client_id="faults")
    TrackingConsumer(
        tallies, bus, topic, "tallies", {"Counted": tallies.count}, max_retry_seconds=1.0
    )
    await bus.start()
    try:

        async def first_applied() -> bool:
            return len(await asyncio.to_thread(tallies.counted)) == before

        async def all_applied(count: int = EVENTS) -> bool:
            return len(set(await asyncio.to_thread(tallies.counted))) == count

        await eventually(first_applied)
        await asyncio.to_thread(stop)
        if publish_while_down:
            await produce(bootstrap, topic, rest)
        await asyncio.sleep(DOWN_SECONDS)  # the consumer meets the outage meanwhile
        await asyncio.to_thread(start)
        if not publish_while_down:
            await produce(bootstrap, topic, rest)
        await eventually(all_applied, timeout=180)
        await produce(bootstrap, topic, LAST)
        await eventually(lambda: all_applied(EVENTS + len(LAST)), timeout=60)
        return await asyncio.to_thread(tallies.counted)
    finally:
        await bus.stop()


async def test_a_postgresql_restart_loses_and_doubles_nothing(
    infra: Infra, private_postgres: Any
) -> None:
    topic = unique_topic("postgres-restart")
    tallies = Tallies(
        store_env(ServiceSettings(postgres_dsn=private_postgres.dsn), "kinlink_faults")
    )
    try:
        applied = await consume_through_a_restart(
            tallies,
            infra.kafka_bootstrap,
            topic,
            private_postgres.stop,
            private_postgres.start,
            publish_while_down=True,
        )
    finally:
        tallies.close()
    assert sorted(applied) == list(range(EVENTS + len(LAST)))  # none lost, none twice
    assert await count_records(infra.kafka_bootstrap, dead_letter_topic(topic)) == 0


async def test_a_kafka_broker_restart_loses_and_doubles_nothing(
    infra: Infra, private_kafka: Any, fresh_database: str
) -> None:
    topic = unique_topic("kafka-restart")
    await create_topics(private_kafka.bootstrap, topic, dead_letter_topic(topic))
    tallies = Tallies(store_env(ServiceSettings(postgres_dsn=infra.postgres_dsn), fresh_database))
    try:
        applied = await consume_through_a_restart(
            tallies,
            private_kafka.bootstrap,
            topic,
            private_kafka.stop,
            private_kafka.start,
            publish_while_down=False,
        )
    finally:
        tallies.close()
    assert sorted(applied) == list(range(EVENTS + len(LAST)))
    assert await count_records(private_kafka.bootstrap, dead_letter_topic(topic)) == 0

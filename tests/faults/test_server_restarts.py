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
KEYS = 7  # the events' keys: the n-th event's is `n % KEYS`, spreading them over the partitions

Event = Callable[[int], tuple[bytes, bytes]]


async def consume_through_a_restart(
    subscribe: Callable[[KafkaBus], object],
    applied: Callable[[], list[int]],
    bootstrap: str,
    topic: str,
    stop: Callable[[], Any],
    start: Callable[[], Any],
    *,
    publish_while_down: bool,
    event: Event = counted,
) -> list[int]:
    """Consume `topic` with the consumer `subscribe` puts on the bus while the server stops and
    starts again: a fifth of the events (`event(n)`) are applied before, the rest published
    while the server is down (the database: the consumer meets the outage) or once it is back
    (the broker, which cannot take them meanwhile), so the consumer cannot have finished before
    the fault. Returns the `n` of each event `applied` says was, once all are."""
    before, rest = EVENTS // 5, [event(n) for n in range(EVENTS // 5, EVENTS)]
    # Published once all events are applied, one for each key: a partition's events delivered
    # twice would come before its last event, so with these applied the count is final.
    last = [event(n) for n in range(EVENTS, EVENTS + KEYS)]
    await produce(bootstrap, topic, [event(n) for n in range(before)])
    bus = KafkaBus(bootstrap, client_id="faults")
    subscribe(bus)
    await bus.start()
    try:

        async def first_applied() -> bool:
            return len(await asyncio.to_thread(applied)) == before

        async def all_applied(count: int = EVENTS) -> bool:
            return len(set(await asyncio.to_thread(applied))) == count

        await eventually(first_applied)
        await asyncio.to_thread(stop)
        if publish_while_down:
            await produce(bootstrap, topic, rest)
        await asyncio.sleep(DOWN_SECONDS)  # the consumer meets the outage meanwhile
        await asyncio.to_thread(start)
        if not publish_while_down:
            await produce(bootstrap, topic, rest)
        await eventually(all_applied, timeout=180)
        await produce(bootstrap, topic, last)
        await eventually(lambda: all_applied(EVENTS + KEYS), timeout=60)
        return await asyncio.to_thread(applied)
    finally:
        await bus.stop()


def counting(tallies: Tallies, topic: str) -> Callable[[KafkaBus], object]:
    def subscribe(bus: KafkaBus) -> object:
        return TrackingConsumer(
            tallies, bus, topic, "tallies", {"Counted": tallies.count}, max_retry_seconds=1.0
        )

    return subscribe


async def test_a_postgresql_restart_loses_and_doubles_nothing(
    infra: Infra, private_postgres: Any
) -> None:
    topic = unique_topic("postgres-restart")
    tallies = Tallies(
        store_env(ServiceSettings(postgres_dsn=private_postgres.dsn), "kinlink_faults")
    )
    try:
        applied = await consume_through_a_restart(
            counting(tallies, topic),
            tallies.counted,
            infra.kafka_bootstrap,
            topic,
            private_postgres.stop,
            private_postgres.start,
            publish_while_down=True,
        )
    finally:
        tallies.close()
    assert sorted(applied) == list(range(EVENTS + KEYS))  # none lost, none twice
    assert await count_records(infra.kafka_bootstrap, dead_letter_topic(topic)) == 0


async def test_a_kafka_broker_restart_loses_and_doubles_nothing(
    infra: Infra, private_kafka: Any, fresh_database: str
) -> None:
    topic = unique_topic("kafka-restart")
    await create_topics(private_kafka.bootstrap, topic, dead_letter_topic(topic))
    tallies = Tallies(store_env(ServiceSettings(postgres_dsn=infra.postgres_dsn), fresh_database))
    try:
        applied = await consume_through_a_restart(
            counting(tallies, topic),
            tallies.counted,
            private_kafka.bootstrap,
            topic,
            private_kafka.stop,
            private_kafka.start,
            publish_while_down=False,
        )
    finally:
        tallies.close()
    assert sorted(applied) == list(range(EVENTS + KEYS))
    assert await count_records(private_kafka.bootstrap, dead_letter_topic(topic)) == 0

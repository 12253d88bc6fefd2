"""Reading topics of the real broker back in tests, and writing to them."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable

from aiokafka import AIOKafkaConsumer
from aiokafka import AIOKafkaProducer
from aiokafka import TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.admin import NewTopic
from aiokafka.structs import ConsumerRecord
from kinlink_contracts.topics import dead_letter_topic
from kinlink_kit.bus import KafkaBus
from kinlink_kit.bus import topic_partitions
from kinlink_kit.eventstore import TrackedApplication
from kinlink_kit.outbox import OutboxRelay
from kinlink_kit.outbox import TranslateOne
from kinlink_kit.outbox import each


async def relay_once(
    bootstrap: str, store: TrackedApplication, translate: TranslateOne, client_id: str
) -> int:
    """A service's outbox relayed to the broker: everything stored so far, in one batch. Returns
    once Kafka acknowledged it, with the position reached."""
    bus = KafkaBus(bootstrap, client_id=client_id)
    relay = OutboxRelay(store, bus, each(translate))
    await bus.start()
    try:
        return await relay.follow_once(relay.position())
    finally:
        await bus.stop()


async def read_topic(
    bootstrap: str, topic: str, until: Callable[[list[ConsumerRecord]], bool], timeout: float = 60
) -> list[ConsumerRecord]:
    """Everything on `topic` from the first offset, until `until(records)` holds."""
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        group_id=f"test-reader-{uuid.uuid4().hex}",
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    await consumer.start()
    records: list[ConsumerRecord] = []
    try:
        deadline = time.monotonic() + timeout
        while not until(records):
            if time.monotonic() > deadline:
                raise AssertionError(f"{topic}: expected records did not arrive in {timeout}s")
            batches = await consumer.getmany(timeout_ms=500)
            for batch in batches.values():
                records.extend(batch)
    finally:
        await consumer.stop()
    return records


async def dead_letter_of(
    bootstrap: str, topic: str, group: str
) -> tuple[ConsumerRecord, dict[str, str]]:
    """The one record consumer group `group` dead-lettered from `topic`, and its headers."""

    def ours(record: ConsumerRecord) -> bool:
        return dict(record.headers).get("dlq-group", b"").decode() == group

    dead = await read_topic(
        bootstrap, dead_letter_topic(topic), until=lambda records: any(map(ours, records))
    )
    (letter,) = [record for record in dead if ours(record)]
    return letter, {name: value.decode() for name, value in letter.headers}


async def produce(bootstrap: str, topic: str, messages: list[tuple[bytes, bytes]]) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, enable_idempotence=True)
    await producer.start()
    try:
        # Sent together, acknowledged together: in order per partition (idempotent producer).
        sent = [await producer.send(topic, value, key=key) for key, value in messages]
        for delivery in sent:
            await delivery
    finally:
        await producer.stop()


async def create_topics(bootstrap: str, *topics: str, partitions: int = 3) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        await admin.create_topics([NewTopic(t, partitions, replication_factor=1) for t in topics])
    finally:
        await admin.close()


async def delete_topic(bootstrap: str, topic: str) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        await admin.delete_topics([topic])
    finally:
        await admin.close()


async def count_records(bootstrap: str, topic: str) -> int:
    """How many records `topic` holds (0 when it does not exist)."""
    assigned = [TopicPartition(topic, p) for p in await topic_partitions(bootstrap, topic)]
    if not assigned:
        return 0
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await consumer.start()
    try:
        ends = await consumer.end_offsets(assigned)
        starts = await consumer.beginning_offsets(assigned)
        return sum(ends[tp] - starts[tp] for tp in assigned)
    finally:
        await consumer.stop()

"""Where the ledger's stream is read from: its event store (with the chain's links), or the audit
topic on Kafka from its first offset. Both give batches of chained events in log order."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator
from collections.abc import Callable
from pathlib import Path

from aiokafka import AIOKafkaConsumer
from aiokafka import TopicPartition
from kinlink_contracts.topics import LEDGER_AUDIT
from kinlink_kit.bus import KafkaClientOptions
from kinlink_kit.eventstore import open_store

from kinlink_ledger.adapters.hash_chain import ChainedEvent
from kinlink_ledger.adapters.hash_chain import store_chain
from kinlink_ledger.audit.records import audit_records
from kinlink_ledger.bootstrap import LedgerSettings
from kinlink_ledger.service_layer.ledger import LedgerStore

Batches = AsyncIterator[list[ChainedEvent]]
BATCH_SIZE = 5_000


class AuditError(Exception):
    """The stream cannot be read as asked (no such topic, no store there)."""


def reading(settings: LedgerSettings) -> LedgerStore:
    """The ledger's store, opened to read: no table is created and nothing is saved (give
    auditors a database role that can only SELECT, too)."""
    if settings.postgres_dsn is None:
        path = Path(settings.data_dir) / f"{settings.database}.sqlite"
        if not path.exists():
            raise AuditError(f"no ledger store at {path}")
    return open_store(LedgerStore, settings, settings.database, create_tables=False)


async def store_batches(store: LedgerStore, batch_size: int = BATCH_SIZE) -> Batches:
    events = store_chain(store.recorder, batch_size=batch_size)
    while batch := await asyncio.to_thread(lambda: list(itertools.islice(events, batch_size))):
        yield batch


async def kafka_batches(
    bootstrap: str,
    topic: str = LEDGER_AUDIT,
    client_options: KafkaClientOptions | None = None,
    *,
    stated: Callable[[str], bool] | None = None,
) -> Batches:
    """Every record on the topic when the read began, from the first offset. A record the relay
    published twice (a crash before it noted its progress) is read once. `client_options`: how
    to connect and sign in (`kinlink_kit.bus.kafka_client_options`, as the auditor).

    `stated`: which stored event types (topics) come with their state; the others come with an
    empty one, their state left undecoded (half of a record's reading). For a reader that only
    counts them, as the replay does the types no view is made of; never for `verify`, whose
    hashes cover the state."""
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        group_id=None,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        max_partition_fetch_bytes=8 * 1024 * 1024,
        **(client_options or {}),
    )
    await consumer.start()
    try:
        assigned = await _partitions(consumer)
        if not assigned:
            raise AuditError(f"no topic {topic} on {bootstrap}")
        await consumer.seek_to_beginning(*assigned)
        ends = await consumer.end_offsets(assigned)
        remaining = {tp for tp in assigned if ends[tp] > 0}
        seen: dict[int, str] = {}
        while remaining:
            fetched = await consumer.getmany(*remaining, timeout_ms=1000, max_records=BATCH_SIZE)
            batch = []
            for tp, messages in fetched.items():
                for message in messages:
                    if message.offset >= ends[tp]:
                        break
                    event = _event(message.value or b"", seen, stated)
                    if event is not None:
                        batch.append(event)
                if messages and messages[-1].offset >= ends[tp] - 1:
                    remaining.discard(tp)
            if batch:
                yield batch
    finally:
        await consumer.stop()


async def _partitions(consumer: AIOKafkaConsumer, tries: int = 20) -> list[TopicPartition]:
    """Every partition of the topic (without a group, the consumer takes them all); a topic made
    a moment ago may take the broker a moment to list."""
    for _ in range(tries):
        if assigned := consumer.assignment():
            return sorted(assigned)
        await asyncio.sleep(0.25)
    return []


def _event(
    value: bytes, seen: dict[int, str], stated: Callable[[str], bool] | None
) -> ChainedEvent | None:
    record = audit_records.decode(value)
    if seen.get(record.position) == record.hash:
        return None  # published again, identical
    seen[record.position] = record.hash
    if len(seen) > 1_000_000:
        for position in list(itertools.islice(seen, 500_000)):
            del seen[position]
    return ChainedEvent(
        record.position,
        record.originator_id,
        record.originator_version,
        record.topic,
        record.state_bytes() if stated is None or stated(record.topic) else b"",
        record.previous_hash,
        record.hash,
    )

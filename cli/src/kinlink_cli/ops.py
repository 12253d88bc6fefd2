"""`kinlink ops dlq list|show|replay --topic T`: operators inspect the dead letters of topic T
(kept on `T.dlq`) and, once the cause is fixed, re-drive them.

Replay publishes each letter's original bytes, key and headers to the topic it failed on: the
consumers handle it like any event, and their deduplication by event id makes a letter replayed
twice (or already applied) change nothing. Letters stay on `T.dlq` (Kafka topics are append-only).
Needs an operator's session (checked against KINLINK_JWT_PUBLIC_KEYS) and KINLINK_KAFKA_BOOTSTRAP
(with the KINLINK_KAFKA_* sign-in settings where the cluster asks for them).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass

import click
from aiokafka import AIOKafkaConsumer
from aiokafka import AIOKafkaProducer
from aiokafka import TopicPartition
from aiokafka.structs import ConsumerRecord
from kinlink_contracts.topics import dead_letter_topic
from kinlink_kit.auth import Role
from kinlink_kit.bus import KafkaClientOptions
from kinlink_kit.bus import kafka_client_options
from kinlink_kit.bus import topic_partitions
from kinlink_kit.progress import Progress
from kinlink_kit.settings import ServiceSettings

from kinlink_cli.connection import Connection
from kinlink_cli.connection import pass_connection
from kinlink_cli.staff_session import require_role
from kinlink_cli.staff_session import stop


def _operator(connection: Connection, settings: ServiceSettings) -> Brokers:
    """Where Kafka is and how to sign in to it, once the session is an operator's."""
    require_role(
        connection,
        settings,
        Role.OPERATOR,
        "dead letters are for operators: this account has no operator role",
    )
    if not settings.kafka_bootstrap:
        stop("KINLINK_KAFKA_BOOTSTRAP is not set")
    return Brokers(settings.kafka_bootstrap, kafka_client_options(settings))


@dataclass(frozen=True)
class Brokers:
    bootstrap: str
    client_options: KafkaClientOptions


def letter_id(record: ConsumerRecord) -> str:
    return f"{record.partition}:{record.offset}"


def headers_of(record: ConsumerRecord) -> dict[str, str]:
    return {k: v.decode(errors="replace") for k, v in record.headers or ()}


async def dead_letters(
    brokers: Brokers, topic: str, progress: Progress
) -> AsyncIterator[ConsumerRecord]:
    """Every letter on `topic`'s dead-letter topic, as it stands now."""
    consumer = AIOKafkaConsumer(
        bootstrap_servers=brokers.bootstrap, enable_auto_commit=False, **brokers.client_options
    )
    await consumer.start()
    try:
        letters = dead_letter_topic(topic)
        partitions = [
            TopicPartition(letters, p)
            for p in sorted(
                await topic_partitions(brokers.bootstrap, letters, brokers.client_options)
            )
        ]
        if not partitions:
            return
        consumer.assign(partitions)
        ends = await consumer.end_offsets(partitions)
        # Explicit seeks: after seek_to_beginning, aiokafka may still report (and fetch from) a
        # partition's end.
        for tp, start in (await consumer.beginning_offsets(partitions)).items():
            consumer.seek(tp, start)
        while [tp for tp in partitions if await consumer.position(tp) < ends[tp]]:
            batches = await consumer.getmany(*partitions, timeout_ms=1000)
            for tp, records in batches.items():
                for record in records:
                    if record.offset < ends[tp]:
                        yield record
                progress.add(len(records))
    finally:
        await consumer.stop()


@click.group()
def ops() -> None:
    """Operators: what the running platform needs from a person (operator role)."""


@ops.group()
def dlq() -> None:
    """Dead letters: events a consumer could never apply, kept with their error."""


topic_option = click.option("--topic", required=True, help="The topic the events failed on.")


@dlq.command("list")
@topic_option
@click.option("--json", "as_json", is_flag=True, help="One JSON object per letter.")
@pass_connection
def list_letters(connection: Connection, topic: str, as_json: bool) -> None:
    """List the dead letters of TOPIC: id (partition:offset), where it failed, why."""
    brokers = _operator(connection, ServiceSettings())

    async def work() -> None:
        progress = Progress("dead letters read")
        async for record in dead_letters(brokers, topic, progress):
            headers = headers_of(record)
            row = {
                "id": letter_id(record),
                "failed_at": headers.get("dlq-failed-at", ""),
                "at": f"{headers.get('dlq-partition', '?')}:{headers.get('dlq-offset', '?')}",
                "error_type": headers.get("dlq-error-type", ""),
                "error": headers.get("dlq-error", "").partition("\n")[0][:120],
            }
            click.echo(json.dumps(row) if as_json else "  ".join(row.values()))
        progress.finish()

    asyncio.run(work())


@dlq.command()
@topic_option
@click.argument("letter")
@pass_connection
def show(connection: Connection, topic: str, letter: str) -> None:
    """Show one dead letter of TOPIC by its id (partition:offset): headers and original bytes."""
    brokers = _operator(connection, ServiceSettings())

    async def work() -> ConsumerRecord | None:
        async for record in dead_letters(brokers, topic, Progress("dead letters read")):
            if letter_id(record) == letter:
                return record
        return None

    record = asyncio.run(work())
    if record is None:
        stop(f"no dead letter {letter} on {dead_letter_topic(topic)}")
    for name, value in sorted(headers_of(record).items()):
        click.echo(f"{name}: {value}")
    click.echo(f"key: {record.key.decode(errors='replace') if record.key else ''}")
    click.echo(record.value.decode(errors="replace"))


@dlq.command()
@topic_option
@click.option("--letter", "letters", multiple=True, help="Only these ids (partition:offset).")
@pass_connection
def replay(connection: Connection, topic: str, letters: tuple[str, ...]) -> None:
    """Publish the dead letters of TOPIC (all, or --letter ones) to TOPIC again."""
    brokers = _operator(connection, ServiceSettings())

    async def work() -> int:
        producer = AIOKafkaProducer(
            bootstrap_servers=brokers.bootstrap,
            enable_idempotence=True,
            acks="all",
            **brokers.client_options,
        )
        await producer.start()
        replayed = Progress("dead letters replayed")
        try:
            async for record in dead_letters(brokers, topic, Progress("dead letters read")):
                if letters and letter_id(record) not in letters:
                    continue
                if headers_of(record).get("dlq-topic") != topic:
                    stop(f"dead letter {letter_id(record)} did not fail on {topic}")
                original = [(k, v) for k, v in record.headers or () if not k.startswith("dlq-")]
                await producer.send_and_wait(topic, record.value, key=record.key, headers=original)
                replayed.add(1)
        finally:
            await producer.stop()
        replayed.finish()
        return replayed.count

    click.echo(f"replayed {asyncio.run(work())} dead letters to {topic}")

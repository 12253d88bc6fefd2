"""Messaging's outbox relay while its broker restarts: messages sent before, during and after
the outage are each published once (MessageSubmitted), in the order they were sent."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any
from uuid import UUID

from kinlink_contracts.envelope import Envelope
from kinlink_contracts.topics import MESSAGING_EVENTS
from kinlink_kit.bus import KafkaBus
from kinlink_kit.outbox import OutboxRelay
from kinlink_kit.outbox import each
from kinlink_messaging.adapters.integration_events import MessagingEventTranslator
from kinlink_messaging.service_layer.messaging import Messaging
from kinlink_messaging.service_layer.send_message import SendMessage
from kinlink_messaging.service_layer.send_message import send_message

from tests.faults.test_server_restarts import DOWN_SECONDS
from tests.integration.messaging.conftest import Outside
from tests.messaging_doubles import FACILITY
from tests.messaging_doubles import RESIDENT
from tests.streams.kafka_helpers import create_topics
from tests.streams.kafka_helpers import read_topic
from tests.streams.messaging import test_messaging_on_kafka as on_kafka

# Messaging on the real PostgreSQL with the doubles of the use cases' tests, as on Kafka there.
messaging, outside = on_kafka.messaging, on_kafka.outside

BATCH = 30  # messages sent before the outage, during it, and after it


async def send(messaging: Messaging, family: UUID, keys: range) -> list[UUID]:
    """Messages to one resident (one partition: published in the order saved)."""
    sent = []
    for key in keys:
        command = SendMessage(family, FACILITY, RESIDENT, f"k-{key}", f"Letter {key}")
        message = await asyncio.to_thread(send_message, messaging, command)
        sent.append(message.id)
    return sent


def submitted(records: list[Any]) -> list[UUID]:
    envelopes = [Envelope.from_bytes(record.value) for record in records]
    return [UUID(e.payload["message_id"]) for e in envelopes if e.type == "MessageSubmitted"]


async def test_the_outbox_publishes_each_message_once_through_a_kafka_restart(
    private_kafka: Any, messaging: Messaging, outside: Outside
) -> None:
    bootstrap = private_kafka.bootstrap
    await create_topics(bootstrap, MESSAGING_EVENTS)
    family = uuid.uuid4()
    outside.wallet.fund(family, 100_000)
    bus = KafkaBus(bootstrap, client_id="faults")
    relay = OutboxRelay(messaging.store, bus, each(MessagingEventTranslator(messaging.store)))
    await bus.start()
    relaying = asyncio.ensure_future(relay.run())
    try:
        before = await send(messaging, family, range(BATCH))
        await read_topic(bootstrap, MESSAGING_EVENTS, until=lambda rs: before[-1] in submitted(rs))
        await asyncio.to_thread(private_kafka.stop)
        during = await send(messaging, family, range(BATCH, 2 * BATCH))
        await asyncio.sleep(DOWN_SECONDS)  # the relay meets the outage meanwhile
        await asyncio.to_thread(private_kafka.start)
        after = await send(messaging, family, range(2 * BATCH, 3 * BATCH))
        records = await read_topic(
            bootstrap, MESSAGING_EVENTS, until=lambda rs: after[-1] in submitted(rs), timeout=180
        )
    finally:
        relaying.cancel()
        await asyncio.gather(relaying, return_exceptions=True)
        await bus.stop()
    assert submitted(records) == [*before, *during, *after]

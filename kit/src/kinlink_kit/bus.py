"""The event bus: Kafka through FastStream in the distributed mode, a memory queue when embedded.

Both give the same guarantees to a handler: messages of one key arrive in order, and a message is
committed only after its handler returned, so a crash means redelivery, never loss. A handler
that raises gets the same message again, and nothing after it in its partition meanwhile.
"""

from __future__ import annotations

import asyncio
import time
from collections import defaultdict
from collections.abc import Awaitable
from collections.abc import Callable
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from typing import Any
from typing import Protocol

from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.errors import KafkaConnectionError
from aiokafka.errors import KafkaError
from aiokafka.helpers import create_ssl_context
from aiokafka.structs import ConsumerRecord
from faststream import AckPolicy
from faststream.kafka import KafkaBroker
from faststream.kafka.annotations import KafkaMessage
from faststream.security import BaseSecurity
from faststream.security import SASLPlaintext
from faststream.security import SASLScram256
from faststream.security import SASLScram512

from kinlink_kit.logging import get_logger
from kinlink_kit.settings import ServiceSettings

log = get_logger(__name__)


@dataclass(frozen=True)
class OutgoingMessage:
    topic: str
    key: str
    value: bytes
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class IncomingMessage:
    topic: str
    partition: int
    offset: int
    key: str | None
    value: bytes
    headers: dict[str, str] = field(default_factory=dict)


MessageHandler = Callable[[IncomingMessage], Awaitable[None]]

# The keyword arguments of an aiokafka client that say how it signs in; empty: plaintext.
KafkaClientOptions = Mapping[str, Any]


def kafka_client_options(settings: ServiceSettings) -> dict[str, Any]:
    """How every Kafka client of a process reaches the brokers, from its KINLINK_KAFKA_*
    settings: aiokafka's security keyword arguments (decision 0096). Checked here, where Kafka
    is reached, not when the settings load: a migration needs no Kafka password."""
    protocol = settings.kafka_security_protocol
    options: dict[str, Any] = {"security_protocol": protocol}
    if protocol in ("SSL", "SASL_SSL"):
        ca_file = settings.kafka_ca_file
        if ca_file is not None and not ca_file.is_file():
            raise ValueError(f"KINLINK_KAFKA_CA_FILE: no file at {ca_file}")
        options["ssl_context"] = create_ssl_context(cafile=ca_file)
    if protocol.startswith("SASL_"):
        password = settings.kafka_password.get_secret_value() if settings.kafka_password else ""
        for variable, value in (
            ("KINLINK_KAFKA_USERNAME", settings.kafka_username),
            ("KINLINK_KAFKA_PASSWORD", password),
        ):
            if not value:
                raise ValueError(
                    f"{variable} is not set: KINLINK_KAFKA_SECURITY_PROTOCOL={protocol} signs "
                    "in to Kafka as a user"
                )
        options |= {
            "sasl_mechanism": settings.kafka_sasl_mechanism,
            "sasl_plain_username": settings.kafka_username,
            "sasl_plain_password": password,
        }
    return options


_SASL_SECURITY = {
    "PLAIN": SASLPlaintext,
    "SCRAM-SHA-256": SASLScram256,
    "SCRAM-SHA-512": SASLScram512,
}


def _broker_security(options: KafkaClientOptions) -> BaseSecurity | None:
    """The same options as FastStream's broker takes them (it turns them back into these)."""
    protocol = options.get("security_protocol", "PLAINTEXT")
    if protocol == "PLAINTEXT":
        return None
    tls = protocol.endswith("SSL")
    if not protocol.startswith("SASL_"):
        return BaseSecurity(ssl_context=options.get("ssl_context"), use_ssl=tls)
    return _SASL_SECURITY[options["sasl_mechanism"]](
        options["sasl_plain_username"],
        options["sasl_plain_password"],
        ssl_context=options.get("ssl_context"),
        use_ssl=tls,
    )


class Bus(Protocol):
    async def start(self) -> None: ...

    async def stop(self) -> None: ...

    async def publish(self, messages: Sequence[OutgoingMessage]) -> None:
        """Returns once every message is acknowledged (in order per key)."""

    def subscribe(self, topic: str, group: str, handler: MessageHandler) -> None:
        """Register before start(); the offset is committed after `handler` returns; when it
        raises, the message is delivered again (the handler paces those attempts)."""


class KafkaBus:
    """FastStream's KafkaBroker for consumers in groups that commit by hand after the handler,
    starting from the earliest offset when new; aiokafka's idempotent producer (acks=all) for
    publishing, without FastStream's per-message command and middleware, which cost the outbox
    relay as much as the producer itself (decision 0103)."""

    def __init__(
        self,
        bootstrap: str,
        client_id: str,
        *,
        request_timeout_ms: int = 40_000,
        client_options: KafkaClientOptions | None = None,
    ) -> None:
        # `request_timeout_ms` also bounds how long a publish waits for a topic to exist.
        options = client_options or {}
        self._signing_in = {
            "bootstrap": bootstrap,
            "security_protocol": options.get("security_protocol", "PLAINTEXT"),
            "username": options.get("sasl_plain_username"),
        }
        self.broker = KafkaBroker(
            bootstrap,
            security=_broker_security(options),
            client_id=client_id,
            request_timeout_ms=request_timeout_ms,
            logger=None,
        )
        self._producer_options = {
            "bootstrap_servers": bootstrap,
            "client_id": client_id,
            "enable_idempotence": True,
            "acks": "all",
            "linger_ms": 2,
            # Batches of up to 512 KiB per partition (aiokafka's default is 16 KiB): the relay's
            # bursts go out in a few requests, not one per 30 records (decision 0103).
            "max_batch_size": 512 * 1024,
            "request_timeout_ms": request_timeout_ms,
            **options,
        }
        self._producer: AIOKafkaProducer | None = None

    async def start(self) -> None:
        if self._producer is not None:
            raise RuntimeError("the bus is started already")
        # The producer first: consumers may publish dead letters as soon as they start.
        self._producer = AIOKafkaProducer(**self._producer_options)
        try:
            await self._producer.start()
            await self.broker.start()
        except BaseException as error:
            if isinstance(error, KafkaConnectionError):
                # aiokafka logged the reason just before: credentials refused, a certificate
                # not trusted, nothing listening...
                log.error("cannot connect to Kafka", **self._signing_in)
            await self.stop()  # nothing half-started is left behind
            raise

    async def stop(self) -> None:
        producer, self._producer = self._producer, None
        try:
            await self.broker.stop()
        finally:
            if producer is not None:
                await producer.stop()

    async def publish(self, messages: Sequence[OutgoingMessage]) -> None:
        if self._producer is None:
            raise RuntimeError("the bus is not started")
        pending = [
            await self._producer.send(
                m.topic,
                m.value,
                key=m.key.encode(),
                headers=[(name, value.encode()) for name, value in m.headers.items()],
            )
            for m in messages
        ]
        await asyncio.gather(*pending)

    def subscribe(self, topic: str, group: str, handler: MessageHandler) -> None:
        async def raw_body(message: Any) -> bytes:
            return message.body  # type: ignore[no-any-return]

        @self.broker.subscriber(
            topic,
            group_id=group,
            auto_offset_reset="earliest",
            ack_policy=AckPolicy.MANUAL,
            decoder=raw_body,
        )
        async def on_message(body: bytes, message: KafkaMessage) -> None:
            record: ConsumerRecord[bytes, bytes] = message.raw_message  # type: ignore[assignment]
            try:
                await handler(
                    IncomingMessage(
                        topic=record.topic,
                        partition=record.partition,
                        offset=record.offset,
                        key=record.key.decode() if record.key else None,
                        value=body,
                        headers={k: v.decode(errors="replace") for k, v in record.headers or ()},
                    )
                )
            except Exception:
                # Rewind the partition to this message: fetched again, none after it committed.
                await message.nack()
                return
            try:
                await message.ack()
            except KafkaError as error:
                # The effect is saved; the next commit covers this offset, and until then a
                # redelivery is recognised by its event id.
                log.warning("offset commit failed", topic=record.topic, error=repr(error))


class InMemoryBus:
    """One process, no broker: each topic is a list; each group reads it in order.

    Offsets continue from the previous run (they start at the microseconds since the epoch), so
    the positions consumers recorded in their stores last time never hide this run's messages."""

    def __init__(self) -> None:
        self.first_offset = time.time_ns() // 1000
        self.topics: dict[str, list[OutgoingMessage]] = defaultdict(list)
        self._subscriptions: list[tuple[str, MessageHandler, asyncio.Event]] = []
        self._tasks: list[asyncio.Task[None]] = []

    async def start(self) -> None:
        self._tasks = [
            asyncio.create_task(self._consume(topic, handler, wakeup))
            for topic, handler, wakeup in self._subscriptions
        ]

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    async def publish(self, messages: Sequence[OutgoingMessage]) -> None:
        for message in messages:
            self.topics[message.topic].append(message)
        for topic, _, wakeup in self._subscriptions:
            if any(m.topic == topic for m in messages):
                wakeup.set()

    def subscribe(self, topic: str, group: str, handler: MessageHandler) -> None:
        self._subscriptions.append((topic, handler, asyncio.Event()))

    async def _consume(self, topic: str, handler: MessageHandler, wakeup: asyncio.Event) -> None:
        offset = 0
        while True:
            await wakeup.wait()
            wakeup.clear()
            messages = self.topics[topic]
            while offset < len(messages):
                m = messages[offset]
                incoming = IncomingMessage(
                    topic, 0, self.first_offset + offset, m.key, m.value, m.headers
                )
                try:
                    await handler(incoming)
                except Exception:
                    # Like an uncommitted Kafka message: delivered again, never skipped.
                    log.exception("handler failed; redelivering", topic=topic, offset=offset)
                    await asyncio.sleep(1.0)
                    continue
                offset += 1


async def topic_partitions(
    bootstrap: str, topic: str, client_options: KafkaClientOptions | None = None
) -> set[int]:
    """The partitions of `topic` as the broker has them (none when it does not exist; asking
    does not create it). `client_options`: how to connect and sign in, if at all."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, **(client_options or {}))
    await admin.start()
    try:
        [described] = await admin.describe_topics([topic])
    finally:
        await admin.close()
    return {p["partition"] for p in described.get("partitions") or ()}

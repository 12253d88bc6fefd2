"""A topic fed by hand to one service's consumer, as the real one would deliver it: offsets 1, 2,
... of partition 0, and a redelivery of the same offset when asked."""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Mapping
from functools import partial
from typing import Any

from kinlink_contracts.envelope import Envelope
from kinlink_contracts.envelope import IntegrationEvent
from kinlink_contracts.topics import dead_letter_topic
from kinlink_kit.bus import IncomingMessage
from kinlink_kit.bus import InMemoryBus
from kinlink_kit.consumer import TrackingConsumer


def wrapped(event: IntegrationEvent, key: str, producer: str) -> Envelope:
    return Envelope.wrap(event, key=key, producer=producer, correlation_id="test")


class TopicFeed:
    def __init__(
        self, service: Any, topic: str, handlers: Mapping[str, Callable[..., None]]
    ) -> None:
        self.bus = InMemoryBus()
        self.topic = topic
        self.consumer = TrackingConsumer(
            service.store,
            self.bus,
            topic,
            "test-consumer",
            {event_type: partial(handle, service) for event_type, handle in handlers.items()},
            retry_seconds=0,
        )
        self.offset = 0

    async def deliver(self, envelope: Envelope, *, again: bool = False) -> None:
        """`again`: the broker delivers the previous offset once more."""
        self.offset += 0 if again else 1
        await self.consumer.on_message(
            IncomingMessage(self.topic, 0, self.offset, envelope.key, envelope.to_bytes())
        )

    async def publish(self, event: IntegrationEvent, key: str, producer: str) -> Envelope:
        envelope = wrapped(event, key, producer)
        await self.deliver(envelope)
        return envelope

    def dead_letters(self) -> list[dict[str, str]]:
        return [m.headers for m in self.bus.topics[dead_letter_topic(self.topic)]]

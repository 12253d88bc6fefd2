"""What each service really does with Kafka, read from its wiring: the whole platform is built
(as `make run` builds it, with the same bootstrap functions the services' own processes call, on
SQLite in a scratch folder) with a bus that records the consumers subscribing, and the outbox
relays are asked which topics they publish to, as which producer. The contracts' topology, the
Kafka users' ACLs and topics, and the monitors are all checked against it."""

from __future__ import annotations

import inspect
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from functools import cache
from pathlib import Path
from typing import Any

from kinlink_embedded.main import EmbeddedSettings
from kinlink_embedded.main import platform
from kinlink_kit.bus import MessageHandler
from kinlink_kit.bus import OutgoingMessage
from kinlink_kit.consumer import TrackingConsumer
from kinlink_kit.outbox import outbox_relays


@dataclass
class ServiceWiring:
    name: str  # as deployed: identity, ledger, ..., sms-gateway
    consumed: dict[str, str] = field(default_factory=dict)  # topic -> consumer group
    handled: dict[str, tuple[str, ...]] = field(default_factory=dict)  # topic -> event types
    published: set[str] = field(default_factory=set)
    producers: set[tuple[str, str | None]] = field(default_factory=set)  # (topic, producer)
    outbox_dead_letters: set[str] = field(default_factory=set)


class SubscriptionsBus:
    """Records who subscribes to what; never started."""

    def __init__(self) -> None:
        self.consumers: list[TrackingConsumer] = []

    async def start(self) -> None: ...

    async def stop(self) -> None: ...

    async def publish(self, messages: Sequence[OutgoingMessage]) -> None: ...

    def subscribe(self, topic: str, group: str, handler: MessageHandler) -> None:
        consumer = getattr(handler, "__self__", None)
        assert isinstance(consumer, TrackingConsumer), f"{group} reads {topic} outside the kit"
        self.consumers.append(consumer)


def translators(translation: object, seen: set[int] | None = None) -> list[Any]:
    """Every translator a relay's translation is made of, each naming its `topic`: `each(...)`
    and `combined(...)` keep theirs in their closures."""
    seen = set() if seen is None else seen
    if id(translation) in seen:
        return []
    seen.add(id(translation))
    found = [translation] if isinstance(getattr(translation, "topic", None), str) else []
    parts: list[object] = []
    if inspect.isfunction(translation):
        parts = list(inspect.getclosurevars(translation).nonlocals.values())
    elif isinstance(translation, tuple | list):
        parts = list(translation)
    for part in parts:
        found += translators(part, seen)
    return found


@cache
def services() -> dict[str, ServiceWiring]:
    """Every service's wiring, by its deployed name."""
    bus = SubscriptionsBus()
    with tempfile.TemporaryDirectory() as scratch:
        parts, _ = platform(EmbeddedSettings(data_dir=Path(scratch)), bus)
        wired: dict[str, ServiceWiring] = {}
        for part in parts:
            service = wired[part.name] = ServiceWiring(part.name)
            for relay in outbox_relays(part.background):
                for translator in translators(relay.translate):
                    service.published.add(translator.topic)
                    service.producers.add((translator.topic, getattr(translator, "producer", None)))
                service.outbox_dead_letters.add(relay.dead_letter_topic)
            part.close()
    for consumer in bus.consumers:
        # Each service's consumer group is its own (kinlink-<name>): that is how a
        # subscription is told apart from another service's.
        [service] = [s for s in wired.values() if consumer.group == f"kinlink-{s.name}"]
        service.consumed[consumer.topic] = consumer.group
        service.handled[consumer.topic] = tuple(sorted(consumer.handlers))
    return wired

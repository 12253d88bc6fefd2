"""What each service really does with Kafka, read from its wiring: the whole platform is built
(as `make run` builds it, on SQLite in a scratch folder) with a bus that records the topics the
services subscribe to, and the outbox relays are asked which topics they publish to."""

from __future__ import annotations

import inspect
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from functools import cache
from pathlib import Path

from kinlink_embedded.main import EmbeddedSettings
from kinlink_embedded.main import platform
from kinlink_kit.bus import MessageHandler
from kinlink_kit.bus import OutgoingMessage
from kinlink_kit.outbox import OutboxRelay


@dataclass
class ServiceWiring:
    name: str  # as deployed: identity, ledger, ..., sms-gateway
    consumed: dict[str, str] = field(default_factory=dict)  # topic -> consumer group
    published: set[str] = field(default_factory=set)
    outbox_dead_letters: set[str] = field(default_factory=set)


class SubscriptionsBus:
    """Records who subscribes to what; never started."""

    def __init__(self) -> None:
        self.subscriptions: list[tuple[str, str]] = []

    async def start(self) -> None: ...

    async def stop(self) -> None: ...

    async def publish(self, messages: Sequence[OutgoingMessage]) -> None: ...

    def subscribe(self, topic: str, group: str, handler: MessageHandler) -> None:
        self.subscriptions.append((topic, group))


def topics_named_by(translation: object, seen: set[int] | None = None) -> set[str]:
    """The `topic` of every translator a relay's translation is made of: `each(...)` and
    `combined(...)` keep theirs in their closures."""
    seen = set() if seen is None else seen
    if id(translation) in seen:
        return set()
    seen.add(id(translation))
    found = {translation.topic} if isinstance(getattr(translation, "topic", None), str) else set()
    parts: list[object] = []
    if inspect.isfunction(translation):
        parts = list(inspect.getclosurevars(translation).nonlocals.values())
    elif isinstance(translation, tuple | list):
        parts = list(translation)
    for part in parts:
        found |= topics_named_by(part, seen)
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
            for job in part.background:
                relay = getattr(job, "__self__", None)
                if isinstance(relay, OutboxRelay):
                    service.published |= topics_named_by(relay.translate)
                    service.outbox_dead_letters.add(relay.dead_letter_topic)
            part.close()
    for topic, group in bus.subscriptions:
        # Each service's consumer group is its own (kinlink-<name>): that is how a
        # subscription is told apart from another service's.
        [service] = [s for s in wired.values() if group == f"kinlink-{s.name}"]
        service.consumed[topic] = group
    return wired

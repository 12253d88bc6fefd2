"""What the consumer tests consume: `Counted` events, each applied as a new aggregate of its own,
so an event applied twice leaves two and an event lost leaves none."""

from __future__ import annotations

import json
import uuid

from eventsourcing.domain import Aggregate
from eventsourcing.domain import event
from kinlink_contracts.envelope import Envelope
from kinlink_contracts.envelope import IntegrationEvent
from kinlink_kit.eventstore import TrackedApplication
from kinlink_kit.eventstore import Tracking
from prometheus_client import REGISTRY


class Counted(IntegrationEvent):
    n: int


class Tally(Aggregate):
    @event("Counted")
    def __init__(self, n: int) -> None:
        self.n = n


class Tallies(TrackedApplication):
    name = "tallies"

    def count(self, envelope: Envelope, tracking: Tracking) -> None:
        self.save_tracked(tracking, Tally(Counted.model_validate(envelope.payload).n))

    def counted(self) -> list[int]:
        """The `n` of every event applied, once per application, in the order applied."""
        notifications = self.recorder.select_notifications(start=1, limit=1_000_000)
        return [json.loads(x.state)["n"] for x in notifications if x.topic.endswith("Counted")]


def counted(n: int) -> tuple[bytes, bytes]:
    """A Kafka message (key, value) of the n-th event; keys spread it over the partitions."""
    envelope = Envelope.wrap(Counted(n=n), key=f"k{n % 7}", producer="test", correlation_id="c")
    return envelope.key.encode(), envelope.to_bytes()


def unique_topic(purpose: str) -> str:
    return f"test.faults.{purpose}.{uuid.uuid4().hex[:8]}"


def retries(topic: str) -> float:
    """How often this process's consumers of `topic` met a failure that may pass."""
    return sum(
        sample.value
        for metric in REGISTRY.collect()
        if metric.name == "kinlink_events_retried"
        for sample in metric.samples
        if sample.name == "kinlink_events_retried_total" and sample.labels["topic"] == topic
    )

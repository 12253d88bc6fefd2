"""The contracts' table of who publishes and consumes each topic is the services' real wiring:
the whole platform is wired (as `kinlink-embedded` does, with the same bootstrap functions the
services' own processes call) on a bus that only records the subscriptions."""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Iterator
from collections.abc import Sequence
from typing import Any

import pytest
from kinlink_contracts import topology
from kinlink_contracts.catalog import EVENTS_BY_TOPIC
from kinlink_contracts.topics import LEDGER_AUDIT
from kinlink_contracts.topics import LEDGER_EVENTS
from kinlink_embedded.main import EmbeddedSettings
from kinlink_embedded.main import platform
from kinlink_kit.bus import MessageHandler
from kinlink_kit.bus import OutgoingMessage
from kinlink_kit.consumer import TrackingConsumer
from kinlink_kit.outbox import OutboxRelay
from kinlink_kit.runtime import ServiceParts


class SubscriptionsBus:
    """Keeps who subscribed to what; never delivers."""

    def __init__(self) -> None:
        self.consumers: list[TrackingConsumer] = []

    async def start(self) -> None: ...

    async def stop(self) -> None: ...

    async def publish(self, messages: Sequence[OutgoingMessage]) -> None: ...

    def subscribe(self, topic: str, group: str, handler: MessageHandler) -> None:
        consumer = getattr(handler, "__self__", None)
        assert isinstance(consumer, TrackingConsumer), f"{group} reads {topic} outside the kit"
        self.consumers.append(consumer)


@pytest.fixture(scope="module")
def wired(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[list[ServiceParts], Any]]:
    bus = SubscriptionsBus()
    parts, _ = platform(EmbeddedSettings(data_dir=tmp_path_factory.mktemp("platform")), bus)
    yield parts, bus
    for part in parts:
        part.close()


def relays(parts: list[ServiceParts]) -> dict[str, OutboxRelay]:
    """Each service's outbox relay, by service name."""
    return {
        part.name: job.__self__
        for part in parts
        for job in part.background
        if isinstance(getattr(job, "__self__", None), OutboxRelay)
    }


def translators(translate: Callable[..., Any]) -> list[Any]:
    """The translators a relay's translation combines, each naming its topic (the kit composes
    them as closures over the translators)."""
    found = [translate] if isinstance(getattr(translate, "topic", None), str) else []
    for cell in getattr(translate, "__closure__", None) or ():
        contents = cell.cell_contents
        for inner in contents if isinstance(contents, tuple) else (contents,):
            if callable(inner):
                found += translators(inner)
    return found


def test_every_service_consumes_what_the_table_says(wired: tuple[list[ServiceParts], Any]) -> None:
    _, bus = wired
    wiring = {
        (consumer.group, consumer.topic): tuple(sorted(consumer.handlers))
        for consumer in bus.consumers
    }
    table = {
        (service.group, consumption.topic): tuple(sorted(consumption.events))
        for service in topology.SERVICES
        for consumption in service.consumes
    }
    assert table == wiring


def test_every_service_publishes_what_the_table_says(wired: tuple[list[ServiceParts], Any]) -> None:
    parts, _ = wired
    found = relays(parts)
    assert {name: {t.topic for t in translators(r.translate)} for name, r in found.items()} == {
        s.name: set(s.publishes) for s in topology.SERVICES
    }
    # Envelopes name the service that published them as the table does (the audit stream's
    # records are not envelopes).
    producers = {
        (t.topic, getattr(t, "producer", None))
        for r in found.values()
        for t in translators(r.translate)
    } - {(LEDGER_AUDIT, None)}
    assert producers == {
        (topic, s.name) for s in topology.SERVICES for topic in s.publishes if topic != LEDGER_AUDIT
    }
    assert {name: r.dead_letter_topic for name, r in found.items()} == {
        s.name: s.outbox_dead_letters for s in topology.SERVICES
    }


def test_every_event_a_service_acts_on_is_in_the_catalog() -> None:
    for party in topology.PARTIES:
        for consumption in party.consumes:
            known = {event.event_type for event in EVENTS_BY_TOPIC.get(consumption.topic, ())}
            assert set(consumption.events) <= known, f"{party.name} on {consumption.topic}"


def test_only_the_ledger_writes_the_ledger_s_topics_and_only_auditors_read_its_audit() -> None:
    # Besides its publisher, operators may put a dead letter back on a topic: not the ledger's.
    writers = {
        topic: [p.name for p in topology.writers(topic) if p != topology.OPERATOR]
        for topic in (*EVENTS_BY_TOPIC, LEDGER_AUDIT)
    }
    assert all(len(names) == 1 for names in writers.values()), writers
    assert [p.name for p in topology.writers(LEDGER_EVENTS)] == ["ledger"]
    assert writers[LEDGER_EVENTS] == writers[LEDGER_AUDIT] == ["ledger"]
    assert [p.name for p in topology.readers(LEDGER_AUDIT)] == ["auditor"]


def test_a_service_dead_letters_each_topic_it_consumes_and_its_outbox() -> None:
    assert [p.name for p in topology.writers("kinlink.messaging.events.v1.dlq")] == ["sms-gateway"]
    assert topology.SMS_GATEWAY.dead_letter_topics == (
        "kinlink.identity.events.v1.dlq",
        "kinlink.messaging.events.v1.dlq",
        "kinlink.sms.outbox.dlq",
    )
    assert topology.AUDITOR.dead_letter_topics == ()


def test_the_table_s_parties_have_distinct_names_and_groups() -> None:
    names = [p.name for p in topology.PARTIES]
    groups = [s.group for s in topology.SERVICES]
    assert len(set(names)) == len(names)
    assert len(set(groups)) == len(groups)

"""A topic Kafka lost comes back from the event store (`republish`), on the real broker, with the
store on SQLite and on PostgreSQL: the same event ids in the order first published, and a
consumer that had applied them applies each once."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from aiokafka.errors import KafkaError
from eventsourcing.persistence import Notification
from kinlink_contracts.envelope import Envelope
from kinlink_kit.bus import KafkaBus
from kinlink_kit.consumer import TrackingConsumer
from kinlink_kit.eventstore import TrackedApplication
from kinlink_kit.eventstore import Tracking
from kinlink_kit.eventstore import open_store
from kinlink_kit.outbox import OutboxRelay
from kinlink_kit.outbox import each
from kinlink_kit.republish import republish
from kinlink_kit.settings import ServiceSettings
from kinlink_kit.testing import STORAGES
from kinlink_kit.testing import Infra
from kinlink_kit.testing import eventually
from kinlink_kit.testing import settings_on
from kinlink_kit.translation import EventTranslator
from kinlink_kit.translation import Published
from prometheus_client import REGISTRY

from tests.notebook import Notebook
from tests.notebook import Noted
from tests.notebook import Notes
from tests.streams.kafka_helpers import count_records
from tests.streams.kafka_helpers import create_topics
from tests.streams.kafka_helpers import delete_topic
from tests.streams.kafka_helpers import read_topic


class NotebookStore(TrackedApplication):
    """A service's store of notebooks, whose written lines it publishes."""


@pytest.fixture(params=STORAGES)
def store(request: pytest.FixtureRequest) -> Iterator[NotebookStore]:
    opened = open_store(NotebookStore, settings_on(request, ServiceSettings), "notebooks")
    yield opened
    opened.close()


def translator(store: NotebookStore, topic: str) -> Any:
    def written(event: Any) -> Published:
        return Published(key=str(event.originator_id), event=Noted(text=event.text))

    return each(EventTranslator(store, "notebooks", topic, {Notebook.Written: written}))


def write(store: NotebookStore, notebooks: list[Notebook], round_: str) -> None:
    for number, notebook in enumerate(notebooks):
        notebook.write(f"{round_}-{number}")
    store.save(*notebooks)


def by_key(records: list[Any]) -> dict[bytes, list[uuid.UUID]]:
    """Each key's event ids in the order its partition holds them."""
    ids: dict[bytes, list[uuid.UUID]] = {}
    for record in sorted(records, key=lambda r: (r.partition, r.offset)):
        ids.setdefault(record.key, []).append(Envelope.from_bytes(record.value).event_id)
    return ids


def consumed(topic: str, outcome: str) -> float:
    labels = {"topic": topic, "outcome": outcome}
    return REGISTRY.get_sample_value("kinlink_events_consumed_total", labels) or 0.0


async def recreate(bootstrap: str, topic: str) -> None:
    """The topic, empty, once the broker has finished deleting the old one."""

    async def created() -> bool:
        try:
            await create_topics(bootstrap, topic)
        except KafkaError:
            return False
        return True

    await eventually(created, timeout=60)


async def test_a_lost_topic_is_republished_in_order_and_applied_once(
    infra: Infra, store: NotebookStore
) -> None:
    topic = f"test.republish.{uuid.uuid4().hex[:8]}"
    await create_topics(infra.kafka_bootstrap, topic)
    notebooks = [Notebook() for _ in range(4)]
    store.save(*notebooks)
    for round_ in ("a", "b", "c"):
        write(store, notebooks, round_)
    translate = translator(store, topic)

    # The relay publishes the 12 lines; a consumer applies them.
    bus = KafkaBus(infra.kafka_bootstrap, client_id="republish-test")
    relay = OutboxRelay(store, bus, translate)
    notes = Notes()
    TrackingConsumer(notes, bus, topic, "notes", {"Noted": notes.note})
    await bus.start()
    relaying = asyncio.create_task(relay.run())
    try:

        async def all_applied() -> bool:
            return len(notes.lines()) == 12

        await eventually(all_applied)
    finally:
        relaying.cancel()
        await bus.stop()
    first = await read_topic(infra.kafka_bootstrap, topic, until=lambda rs: len(rs) == 12)

    # Kafka loses the topic; with the relay paused, the store gains a line per notebook.
    await delete_topic(infra.kafka_bootstrap, topic)
    await recreate(infra.kafka_bootstrap, topic)
    write(store, notebooks, "d")

    # What the relay had published comes back; then the relay resumes, the consumer with it.
    bus = KafkaBus(infra.kafka_bootstrap, client_id="republish-test")
    TrackingConsumer(notes, bus, topic, "notes", {"Noted": notes.note})
    await bus.start()
    try:
        assert await republish(store, translate, bus, topic) == 12
        relaying = asyncio.create_task(OutboxRelay(store, bus, translate).run())

        async def new_lines_applied() -> bool:
            return sum(line.startswith("d-") for line in notes.lines()) == 4

        await eventually(new_lines_applied)
        relaying.cancel()
    finally:
        await bus.stop()

    assert await count_records(infra.kafka_bootstrap, topic) == 16
    again = await read_topic(infra.kafka_bootstrap, topic, until=lambda rs: len(rs) == 16)
    stored: list[Notification] = store.tracking.select_notifications(0, 100)
    written_ids = [
        uuid.uuid5(n.originator_id, str(n.originator_version))  # type: ignore[arg-type]
        for n in stored
        if n.topic.endswith("Notebook.Written")
    ]
    # Every line once, under the id it was first published with, each notebook's in order.
    assert sorted(e for ids in by_key(again).values() for e in ids) == sorted(written_ids)
    for key, ids in by_key(first).items():
        assert by_key(again)[key][:3] == ids
    assert {len(ids) for ids in by_key(again).values()} == {4}
    # The consumer read the topic again from its start (its offsets went with the old topic):
    # it skipped the 12 lines it had applied and applied the new ones once.
    assert consumed(topic, "duplicate") == 12
    assert sorted(notes.lines()) == sorted(f"{r}-{n}" for r in "abcd" for n in range(4))
    notes.close()


async def test_republishing_leaves_out_what_kafka_still_has_and_what_the_relay_has_not_sent(
    infra: Infra, store: NotebookStore
) -> None:
    topic = f"test.republish.{uuid.uuid4().hex[:8]}"
    notebook = Notebook()
    store.save(notebook)
    write(store, [notebook], "a")
    kept = store.tracking.max_notification_id() or 0
    write(store, [notebook], "b")
    published = store.tracking.max_notification_id() or 0
    write(store, [notebook], "c")  # not published yet: the relay's to publish
    store.tracking.insert_tracking(Tracking(OutboxRelay.position_name, published))
    publisher = KafkaBus(infra.kafka_bootstrap, client_id="republish-test")
    await publisher.start()
    try:
        assert await republish(store, translator(store, topic), publisher, topic, after=kept) == 1
        # Nothing of another topic is published.
        assert await republish(store, translator(store, topic), publisher, "elsewhere") == 0
    finally:
        await publisher.stop()
    [record] = await read_topic(infra.kafka_bootstrap, topic, until=lambda rs: len(rs) == 1)
    assert Noted.model_validate(Envelope.from_bytes(record.value).payload).text == "b-0"

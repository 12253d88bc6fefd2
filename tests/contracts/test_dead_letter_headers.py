"""The dead letters' headers the contracts document (and the AsyncAPI document publishes) are
exactly those the kit's consumer and outbox relay write."""

from __future__ import annotations

from collections.abc import Sequence

from eventsourcing.persistence import Notification
from kinlink_contracts import dead_letters
from kinlink_kit.bus import IncomingMessage
from kinlink_kit.bus import OutgoingMessage
from kinlink_kit.consumer import TrackingConsumer
from kinlink_kit.outbox import OutboxRelay

from tests.recording_bus import RecordingBus
from tests.unit.kit.test_outbox_dead_letters import Parcel
from tests.unit.kit.test_outbox_dead_letters import Post


async def test_a_consumer_s_dead_letter_carries_the_documented_headers() -> None:
    post, bus = Post(env={"PERSISTENCE_MODULE": "eventsourcing.popo"}), RecordingBus()
    consumer = TrackingConsumer(post, bus, "kinlink.post.events.v1", "posts", {})

    await consumer.on_message(IncomingMessage("kinlink.post.events.v1", 0, 7, "k", b"not json"))

    [letter] = bus.on("kinlink.post.events.v1.dlq")
    assert set(letter.headers) == set(dead_letters.CONSUMER_HEADERS)


async def test_an_outbox_dead_letter_carries_the_documented_headers() -> None:
    post, bus = Post(env={"PERSISTENCE_MODULE": "eventsourcing.popo"}), RecordingBus()
    post.save(Parcel("unreadable"))

    def untranslatable(notifications: Sequence[Notification]) -> list[OutgoingMessage]:
        raise KeyError("label")

    relay = OutboxRelay(post, bus, untranslatable)
    await relay.follow_once(relay.position())

    [letter] = bus.on("kinlink.post.outbox.dlq")
    assert set(letter.headers) == set(dead_letters.OUTBOX_HEADERS)

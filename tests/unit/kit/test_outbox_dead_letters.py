"""The outbox relay with a stored event it can never translate: dead-lettered, the rest relayed."""

from __future__ import annotations

from collections.abc import Sequence

from eventsourcing.persistence import Notification
from kinlink_kit.bus import OutgoingMessage
from kinlink_kit.eventstore import TrackedApplication
from kinlink_kit.outbox import OutboxRelay

from tests.parcels import Parcel
from tests.recording_bus import RecordingBus


class Post(TrackedApplication):
    name = "post"


def translate(notifications: Sequence[Notification]) -> list[OutgoingMessage]:
    """Maps every parcel but the 'unreadable' one, as a translator with a bug would."""
    if any(b"unreadable" in n.state for n in notifications):
        raise KeyError("label")
    return [
        OutgoingMessage("kinlink.post.events.v1", str(n.originator_id), n.state)
        for n in notifications
    ]


async def test_an_event_that_cannot_be_translated_is_dead_lettered_and_the_relay_moves_on() -> None:
    post = Post(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    parcels = [Parcel("first"), Parcel("unreadable"), Parcel("third")]
    post.save(*parcels)
    bus = RecordingBus()
    relay = OutboxRelay(post, bus, translate)

    assert await relay.follow_once(relay.position()) == 3
    post.close()

    relayed = bus.on("kinlink.post.events.v1")
    assert [m.key for m in relayed] == [str(parcels[0].id), str(parcels[2].id)]
    [letter] = bus.on("kinlink.post.outbox.dlq")
    assert letter.key == str(parcels[1].id)
    assert b"unreadable" in letter.value
    assert letter.headers["dlq-error-type"] == "KeyError"
    assert letter.headers["dlq-notification-id"] == "2"
    assert relay.position() == 3

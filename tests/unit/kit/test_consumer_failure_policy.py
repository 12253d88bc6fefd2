"""The tracking consumer's failure policy, message by message: what can never succeed is
dead-lettered at once, what may pass is delivered again (never dead-lettered, never committed),
and an event is applied once by its event id whatever offset it comes at."""

from __future__ import annotations

from uuid import UUID

import pytest
from kinlink_contracts.envelope import Envelope
from kinlink_contracts.topics import dead_letter_topic
from kinlink_kit.bus import IncomingMessage
from kinlink_kit.consumer import EventRejected
from kinlink_kit.consumer import TrackingConsumer
from kinlink_kit.consumer import rejecting
from kinlink_kit.errors import NotFound
from kinlink_kit.errors import Unavailable
from kinlink_kit.eventstore import Tracking

from tests.recording_bus import RecordingBus
from tests.tally import Counted
from tests.tally import Tallies

TOPIC = "kinlink.test.events.v1"


class Counter(Tallies):
    """Counts events in memory; its handler fails as the test tells it to."""

    def __init__(self) -> None:
        super().__init__(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
        self.failures: list[BaseException] = []
        self.applied: list[UUID] = []

    def count(self, envelope: Envelope, tracking: Tracking) -> None:
        if self.failures:
            raise self.failures.pop(0)
        super().count(envelope, tracking)
        self.applied.append(envelope.event_id)


def counted(n: int) -> Envelope:
    return Envelope.wrap(Counted(n=n), key="k", producer="test", correlation_id="c")


def at(offset: int, value: bytes, partition: int = 0) -> IncomingMessage:
    return IncomingMessage(TOPIC, partition, offset, "k", value)


def consumer_of(counter: Counter, bus: RecordingBus) -> TrackingConsumer:
    return TrackingConsumer(
        counter, bus, TOPIC, "counters", {"Counted": counter.count}, retry_seconds=0
    )


async def test_an_event_published_again_at_a_new_offset_is_applied_once() -> None:
    counter, bus = Counter(), RecordingBus()
    consumer = consumer_of(counter, bus)
    event = counted(1).to_bytes()
    # The relay published it again; then the topic was recreated, its offsets starting over.
    for message in (at(7, event), at(8, event), at(0, event, partition=2), at(0, event)):
        await consumer.on_message(message)
    assert len(counter.applied) == 1
    assert bus.on(dead_letter_topic(TOPIC)) == []


async def test_a_recreated_topic_s_new_events_at_old_offsets_are_applied() -> None:
    counter, bus = Counter(), RecordingBus()
    consumer = consumer_of(counter, bus)
    await consumer.on_message(at(500, counted(1).to_bytes()))
    await consumer.on_message(at(3, counted(2).to_bytes()))
    assert len(counter.applied) == 2


@pytest.mark.parametrize(
    "failure",
    [EventRejected("Counted", "deposit_not_found", "No such deposit."), ValueError("x")],
    ids=["rejected", "other"],
)
async def test_only_a_rejection_is_dead_lettered_at_once(failure: Exception) -> None:
    counter, bus = Counter(), RecordingBus()
    consumer = consumer_of(counter, bus)
    counter.failures.append(failure)
    message = at(0, counted(1).to_bytes())
    if isinstance(failure, EventRejected):
        await consumer.on_message(message)  # returns: committed, with the dead letter written
        [letter] = bus.on(dead_letter_topic(TOPIC))
        assert letter.value == message.value
        assert letter.headers["dlq-error-type"] == "EventRejected"
        assert "deposit_not_found" in letter.headers["dlq-error"]
        assert counter.applied == []
    else:
        with pytest.raises(ValueError):  # raised: not committed, the bus delivers it again
            await consumer.on_message(message)
        await consumer.on_message(message)
        assert bus.on(dead_letter_topic(TOPIC)) == []
        assert len(counter.applied) == 1


async def test_a_failure_that_may_pass_is_retried_as_long_as_it_takes() -> None:
    counter, bus = Counter(), RecordingBus()
    consumer = consumer_of(counter, bus)
    counter.failures.extend(ConnectionError("database unavailable") for _ in range(20))
    message = at(0, counted(1).to_bytes())
    attempts = 1
    while True:
        try:
            await consumer.on_message(message)
        except ConnectionError:
            attempts += 1
        else:
            break
    assert attempts == 21
    assert len(counter.applied) == 1
    assert bus.on(dead_letter_topic(TOPIC)) == []


async def test_a_dead_letter_that_cannot_be_written_leaves_the_message_uncommitted() -> None:
    counter, bus = Counter(), RecordingBus()
    consumer = consumer_of(counter, bus)
    poison = at(0, b"not an envelope")
    bus.down = True
    for _ in range(3):
        with pytest.raises(ConnectionError):
            await consumer.on_message(poison)
    bus.down = False
    await consumer.on_message(poison)
    assert [m.value for m in bus.on(dead_letter_topic(TOPIC))] == [b"not an envelope"]


def test_rejecting_turns_refusals_into_rejections_but_lets_passing_ones_through() -> None:
    envelope = counted(1)
    with pytest.raises(EventRejected, match="deposit_not_found"), rejecting(envelope):
        raise NotFound("deposit_not_found", "No such deposit.", field="deposit_id")
    with pytest.raises(Unavailable), rejecting(envelope):
        raise Unavailable("allowance_busy", "Too many changes at once.")


def test_the_backoff_grows_and_is_capped() -> None:
    counter, bus = Counter(), RecordingBus()
    consumer = TrackingConsumer(
        counter, bus, TOPIC, "g", {}, retry_seconds=0.5, max_retry_seconds=4
    )
    assert [consumer.backoff(failures) for failures in range(1, 7)] == [0.5, 1, 2, 4, 4, 4]

"""The in-memory bus (the tests' stand-in for a broker), with the kit's consumer: order,
exactly-once effects, dead letters."""

from __future__ import annotations

from kinlink_contracts.envelope import Envelope
from kinlink_contracts.topics import dead_letter_topic
from kinlink_kit.bus import IncomingMessage
from kinlink_kit.bus import InMemoryBus
from kinlink_kit.consumer import TrackingConsumer
from kinlink_kit.testing import eventually

from tests.notebook import TOPIC
from tests.notebook import Noted
from tests.notebook import Notes
from tests.notebook import message
from tests.notebook import noted
from tests.notebook import noted_by_each_run


async def test_events_are_handled_in_order_and_bad_ones_dead_lettered() -> None:
    bus, notes = InMemoryBus(), Notes()
    TrackingConsumer(notes, bus, TOPIC, "notes", {"Noted": notes.note}, retry_seconds=0)
    await bus.start()
    try:
        await bus.publish([message(noted("one")), message(b"not json"), message(noted("two"))])
        wrong_payload = Envelope.wrap(
            Noted(text="x"), key="k", producer="test", correlation_id="c"
        ).model_copy(update={"payload": {"text": 3}})
        await bus.publish([message(wrong_payload.to_bytes()), message(noted("three"))])

        async def all_handled() -> bool:
            return len(notes.lines()) == 3

        await eventually(all_handled, timeout=5)
    finally:
        await bus.stop()
        notes.close()
    assert notes.lines() == ["one", "two", "three"]
    dead = bus.topics[dead_letter_topic(TOPIC)]
    assert [m.value for m in dead] == [b"not json", wrong_payload.to_bytes()]
    assert dead[0].headers["dlq-error-type"] == "ValidationError"


async def test_a_redelivered_event_changes_nothing() -> None:
    bus, notes = InMemoryBus(), Notes()
    consumer = TrackingConsumer(notes, bus, TOPIC, "notes", {"Noted": notes.note})
    delivered = [message(noted("once"))]
    await bus.publish(delivered)
    await bus.start()
    try:

        async def handled() -> bool:
            return notes.lines() == ["once"]

        await eventually(handled, timeout=5)
        # The same message at the same offset, as after a crash before the commit.
        await consumer.on_message(
            IncomingMessage(TOPIC, 0, bus.first_offset, "k", delivered[0].value)
        )
    finally:
        await bus.stop()
        notes.close()
    assert notes.lines() == ["once"]


async def test_a_restarted_process_still_handles_new_events() -> None:
    """The store remembers positions across restarts; the next run's bus must not reuse them."""
    texts = ["before the restart", "after the restart"]
    assert await noted_by_each_run(texts, lambda run: InMemoryBus()) == texts

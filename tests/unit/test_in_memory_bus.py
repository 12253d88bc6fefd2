"""The embedded mode's bus, with the kit's consumer: order, exactly-once effects, dead letters."""

from __future__ import annotations

from eventsourcing.domain import Aggregate, event
from kinlink_contracts.envelope import Envelope, IntegrationEvent
from kinlink_contracts.topics import dead_letter_topic
from kinlink_kit.bus import IncomingMessage, InMemoryBus, OutgoingMessage
from kinlink_kit.consumer import TrackingConsumer
from kinlink_kit.eventstore import TrackedApplication, Tracking

from tests.serving import eventually

TOPIC = "kinlink.test.events.v1"


class Noted(IntegrationEvent):
    text: str


class Notebook(Aggregate):
    @event("Opened")
    def __init__(self) -> None:
        self.lines: list[str] = []

    @event("Written")
    def write(self, text: str) -> None:
        self.lines.append(text)


class Notes(TrackedApplication):
    def __init__(self) -> None:
        super().__init__(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
        self.notebook = Notebook()
        self.save(self.notebook)

    def note(self, envelope: Envelope, tracking: Tracking) -> None:
        notebook = self.repository.get(self.notebook.id)
        notebook.write(Noted.model_validate(envelope.payload).text)
        self.save_tracked(tracking, notebook)

    def lines(self) -> list[str]:
        return self.repository.get(self.notebook.id).lines  # type: ignore[no-any-return]


def message(value: bytes) -> OutgoingMessage:
    return OutgoingMessage(TOPIC, "k", value)


def noted(text: str) -> bytes:
    return Envelope.wrap(Noted(text=text), key="k", producer="test", correlation_id="c").to_bytes()


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
    notes = Notes()
    try:
        for text in ("before the restart", "after the restart"):
            bus = InMemoryBus()
            TrackingConsumer(notes, bus, TOPIC, "notes", {"Noted": notes.note})
            await bus.start()
            try:
                await bus.publish([message(noted(text))])

                async def handled(text: str = text) -> bool:
                    return notes.lines()[-1:] == [text]

                await eventually(handled, timeout=5)
            finally:
                await bus.stop()
    finally:
        notes.close()
    assert notes.lines() == ["before the restart", "after the restart"]

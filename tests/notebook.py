"""A notebook that consumers write integration events into: what the bus tests check."""

from __future__ import annotations

from collections.abc import Callable

from eventsourcing.domain import Aggregate
from eventsourcing.domain import event
from kinlink_contracts.envelope import Envelope
from kinlink_contracts.envelope import IntegrationEvent
from kinlink_kit.bus import Bus
from kinlink_kit.bus import OutgoingMessage
from kinlink_kit.consumer import TrackingConsumer
from kinlink_kit.eventstore import TrackedApplication
from kinlink_kit.eventstore import Tracking
from kinlink_kit.testing import eventually

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


async def noted_by_each_run(texts: list[str], new_bus: Callable[[int], Bus]) -> list[str]:
    """One notebook, a run of a new bus (`new_bus(run)`) per text, each publishing its text:
    the lines the notebook has at the end. The notebook keeps the consumer's position across
    runs, as a service's store does across restarts."""
    notes = Notes()
    try:
        for run, text in enumerate(texts):
            bus = new_bus(run)
            TrackingConsumer(notes, bus, TOPIC, "notes", {"Noted": notes.note})
            await bus.start()
            try:
                await bus.publish([message(noted(text))])

                async def handled(text: str = text) -> bool:
                    return notes.lines()[-1:] == [text]

                await eventually(handled, timeout=10)
            finally:
                await bus.stop()
        return notes.lines()
    finally:
        notes.close()

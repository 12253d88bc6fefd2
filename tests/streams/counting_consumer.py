"""A consumer process for the crash test: counts `Tick` events with a tracked, non-idempotent
effect. With KILL_AFTER=n it SIGKILLs itself after saving the effect of its n-th event and before
committing that event's offset to Kafka, as a crash at the worst moment would."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from uuid import NAMESPACE_URL
from uuid import uuid5

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.domain import Aggregate
from eventsourcing.domain import event
from kinlink_contracts.envelope import Envelope
from kinlink_kit.bus import IncomingMessage
from kinlink_kit.bus import KafkaBus
from kinlink_kit.bus import MessageHandler
from kinlink_kit.consumer import TrackingConsumer
from kinlink_kit.eventstore import TrackedApplication
from kinlink_kit.eventstore import Tracking
from kinlink_kit.eventstore import store_env
from kinlink_kit.settings import ServiceSettings

COUNTER_ID = uuid5(NAMESPACE_URL, "kinlink-test-counter")


class TickCounter(Aggregate):
    @staticmethod
    def create_id() -> object:
        return COUNTER_ID

    @event("Started")
    def __init__(self) -> None:
        self.ticks = 0

    @event("Ticked")
    def tick(self) -> None:
        self.ticks += 1


class CounterStore(TrackedApplication):
    name = "counter"

    def counter(self) -> TickCounter:
        try:
            found = self.repository.get(COUNTER_ID)
        except AggregateNotFoundError:
            return TickCounter()
        assert isinstance(found, TickCounter)
        return found

    def count(self, envelope: Envelope, tracking: Tracking) -> None:
        counter = self.counter()
        counter.tick()
        self.save_tracked(tracking, counter)


class CrashingBus(KafkaBus):
    """Handles like KafkaBus, but can die after a handler returned and before the commit."""

    def __init__(self, bootstrap: str, kill_after: int) -> None:
        super().__init__(bootstrap, client_id="counting-consumer")
        self.kill_after = kill_after
        self.handled = 0

    def subscribe(self, topic: str, group: str, handler: MessageHandler) -> None:
        async def handle_then_maybe_die(message: IncomingMessage) -> None:
            await handler(message)
            self.handled += 1
            print(f"handled offset={message.offset}", flush=True)
            if self.kill_after and self.handled >= self.kill_after:
                os.kill(os.getpid(), signal.SIGKILL)

        super().subscribe(topic, group, handle_then_maybe_die)


async def main(topic: str, group: str, database: str) -> None:
    store = CounterStore(store_env(ServiceSettings(), database))
    bus = CrashingBus(os.environ["KINLINK_KAFKA_BOOTSTRAP"], int(os.environ.get("KILL_AFTER", "0")))
    TrackingConsumer(store, bus, topic, group, {"Tick": store.count})
    await bus.start()
    print("consuming", flush=True)
    await asyncio.Event().wait()


if __name__ == "__main__":
    # Import ourselves under our module name: stored events name their classes by module.
    from tests.streams.counting_consumer import main as run

    asyncio.run(run(*sys.argv[1:4]))

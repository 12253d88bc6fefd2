"""Republishing a topic from the event store: what brings back events Kafka lost.

Every event a service publishes stays in its event store; the outbox relay only records how far
it published (a tracking record named `outbox-relay`). `republish` reads the stored events from a
position up to the relay's again, translates them with the relay's own translation and publishes
what falls on one topic, in log order: the same envelopes with the same event ids (derived from
each stored event), so a consumer that had applied one recognises it (decision 0017) and one that
had not applies them in the order they were first published. What the relay has not published
yet stays the relay's to publish, and its position does not move: republishing while the relay
is paused, then resuming it, puts every event on the topic once, in order.

`kinlink-<service> republish --topic T [--after N]` runs it with the service's own settings
(`run_service` hands the subcommand here).
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Callable
from collections.abc import Sequence
from typing import TYPE_CHECKING
from typing import TypeVar

from kinlink_kit.bus import Bus
from kinlink_kit.bus import InMemoryBus
from kinlink_kit.bus import KafkaBus
from kinlink_kit.bus import kafka_client_options
from kinlink_kit.eventstore import TrackedApplication
from kinlink_kit.logging import get_logger
from kinlink_kit.outbox import OutboxRelay
from kinlink_kit.outbox import Translate
from kinlink_kit.outbox import outbox_relays
from kinlink_kit.progress import Progress
from kinlink_kit.settings import ServiceSettings

if TYPE_CHECKING:
    from kinlink_kit.runtime import ServiceParts

log = get_logger(__name__)


async def republish(
    app: TrackedApplication,
    translate: Translate,
    bus: Bus,
    topic: str,
    *,
    after: int = 0,
    batch_size: int = 500,
) -> int:
    """Publish again what `translate` makes of the events stored after position `after`, up to
    the outbox relay's, that goes to `topic`; returns how many messages."""
    relay = OutboxRelay(app, bus, translate)  # its batch translation, dead letters set aside
    end = await asyncio.to_thread(relay.position)
    progress = Progress(f"events republished to {topic}")
    position = after
    while position < end:
        notifications = await asyncio.to_thread(
            app.tracking.select_notifications,
            position,
            batch_size,
            end,
            inclusive_of_start=False,
        )
        if not notifications:
            break
        messages = [m for m in relay.messages(notifications) if m.topic == topic]
        await bus.publish(messages)
        progress.add(len(messages))
        position = notifications[-1].id
    progress.finish()
    log.info("republished", topic=topic, after=after, until=position, messages=progress.count)
    return progress.count


Settings = TypeVar("Settings", bound=ServiceSettings)


def republish_command(
    settings: Settings,
    start: Callable[[Settings, Bus], ServiceParts],
    argv: Sequence[str],
) -> int:
    """`republish --topic T [--after N]` for the service `start` builds: its relay's translation
    over its store, published to its Kafka. The service is built on a bus never started, so this
    process consumes nothing and runs none of its background jobs; it may run beside the
    service's replicas (see docs/operations.md for the order it keeps). Returns the exit code."""
    parser = argparse.ArgumentParser(
        prog=f"kinlink-{settings.service_name} republish",
        description="Publish the stored events of one topic again, in the order first published.",
    )
    parser.add_argument("--topic", required=True, help="the topic to publish again")
    parser.add_argument(
        "--after", type=int, default=0, help="the last event-log position Kafka still has"
    )
    args = parser.parse_args(argv)
    if not settings.kafka_bootstrap:
        log.error("KINLINK_KAFKA_BOOTSTRAP is not set: nowhere to republish to")
        return 2
    # The relay is only built here, never run: forcing it on is how its translation is found.
    parts = start(settings.model_copy(update={"outbox_relay": True}), InMemoryBus())
    try:
        relays = outbox_relays(parts.background)
        if not relays:
            log.error("this service relays no outbox", service=parts.name)
            return 2
        bus = KafkaBus(
            settings.kafka_bootstrap,
            client_id="republish",
            client_options=kafka_client_options(settings),
        )
        return asyncio.run(_republish_all(relays, bus, args.topic, args.after))
    finally:
        parts.close()


async def _republish_all(relays: list[OutboxRelay], bus: KafkaBus, topic: str, after: int) -> int:
    await bus.start()
    try:
        published = 0
        for relay in relays:
            published += await republish(relay.app, relay.translate, bus, topic, after=after)
    finally:
        await bus.stop()
    if not published:
        log.warning("no stored event goes to this topic", topic=topic)
    return 0

"""The outbox relay: the event store's notification log, published to Kafka.

Events are saved once, in the store; the relay follows the store's notification log and publishes
what it finds, recording how far it got only after the broker acknowledged. A crash between the
two means the same events are published again: consumers tolerate duplicates (same event_id).
A stored event the translation cannot map never will (it does not change): it goes to
`kinlink.<service>.outbox.dlq` with the error, and the relay moves on instead of stalling.
Every replica of a service runs a relay; only the one leading (see `leadership`) publishes.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from collections.abc import Coroutine
from collections.abc import Iterable
from collections.abc import Sequence
from typing import Any

from eventsourcing.persistence import Notification
from eventsourcing.persistence import Tracking
from kinlink_contracts.topics import dead_letter_topic

from kinlink_kit.bus import Bus
from kinlink_kit.bus import OutgoingMessage
from kinlink_kit.dead_letters import failure_headers
from kinlink_kit.eventstore import TrackedApplication
from kinlink_kit.leadership import ElectedJob
from kinlink_kit.leadership import elected_job
from kinlink_kit.log_follower import LogFollower
from kinlink_kit.logging import get_logger
from kinlink_kit.metrics import EVENTS_PUBLISHED
from kinlink_kit.metrics import OUTBOX_DEAD_LETTERS
from kinlink_kit.metrics import OUTBOX_UNPUBLISHED
from kinlink_kit.settings import ServiceSettings

log = get_logger(__name__)

# The messages a batch of stored events becomes, in log order.
Translate = Callable[[Sequence[Notification]], Sequence[OutgoingMessage]]
TranslateOne = Callable[[Notification], OutgoingMessage | None]
# Events read, translated and published at a time: a backlog goes out in few round trips
# (measured: 2,000 a batch relayed three times as fast as 500; decision 0103).
RELAY_BATCH = 2000


def each(translate: TranslateOne) -> Translate:
    """A batch translation that maps each event on its own (to one message or none)."""

    def translate_batch(notifications: Sequence[Notification]) -> Sequence[OutgoingMessage]:
        return [m for n in notifications if (m := translate(n)) is not None]

    return translate_batch


def combined(*translations: Translate) -> Translate:
    """Every message each translation makes of the batch."""

    def translate_batch(notifications: Sequence[Notification]) -> Sequence[OutgoingMessage]:
        return [m for translate in translations for m in translate(notifications)]

    return translate_batch


class OutboxRelay(LogFollower):
    """Publishes the messages `translate` maps new stored events to, in log order."""

    position_name = "outbox-relay"

    def __init__(
        self,
        app: TrackedApplication,
        bus: Bus,
        translate: Translate,
    ) -> None:
        super().__init__(app, batch_size=RELAY_BATCH)
        self.bus = bus
        self.translate = translate

    async def run(self) -> None:
        """Relay until cancelled."""
        try:
            await super().run()
        finally:
            # The replica leading now reports the backlog; this one's last figure would go stale.
            OUTBOX_UNPUBLISHED.labels(self.app.name).set(0)

    def position(self) -> int:
        return self.app.tracking.max_tracking_id(self.position_name) or 0

    async def follow_once(self, position: int) -> int:
        # Measured before each attempt, so a relay that cannot publish shows its backlog growing.
        latest = await asyncio.to_thread(self.app.tracking.max_notification_id)
        OUTBOX_UNPUBLISHED.labels(self.app.name).set(max((latest or 0) - position, 0))
        return await super().follow_once(position)

    @property
    def dead_letter_topic(self) -> str:
        return dead_letter_topic(f"kinlink.{self.app.name}.outbox")

    async def handle(self, notifications: Sequence[Notification]) -> None:
        # Off the event loop: a batch's translation may read the store (the ledger's chain).
        messages = await asyncio.to_thread(self.messages, notifications)
        await self.bus.publish(messages)
        for message in messages:
            EVENTS_PUBLISHED.labels(message.topic).inc()
        await asyncio.to_thread(
            self.app.tracking.insert_tracking, Tracking(self.position_name, notifications[-1].id)
        )

    def messages(self, notifications: Sequence[Notification]) -> list[OutgoingMessage]:
        """The batch's messages; when it cannot be translated whole, each event's own, and a
        dead letter for each event that cannot be translated at all."""
        try:
            return list(self.translate(notifications))
        except Exception:
            log.exception("an event of the batch cannot be translated; translating one by one")
        messages: list[OutgoingMessage] = []
        for notification in notifications:
            try:
                messages.extend(self.translate([notification]))
            except Exception as error:
                messages.append(self.dead_letter(notification, error))
        return messages

    def dead_letter(self, notification: Notification, error: Exception) -> OutgoingMessage:
        OUTBOX_DEAD_LETTERS.labels(self.dead_letter_topic).inc()
        log.error(
            "stored event dead-lettered by the outbox relay",
            notification_id=notification.id,
            event_topic=notification.topic,
            error=repr(error),
        )
        return OutgoingMessage(
            topic=self.dead_letter_topic,
            key=str(notification.originator_id),
            value=notification.state,
            headers={
                **failure_headers(error),
                "dlq-event-topic": notification.topic,
                "dlq-notification-id": str(notification.id),
                "dlq-originator-version": str(notification.originator_version),
            },
        )


def outbox_relay_jobs(
    settings: ServiceSettings,
    database: str,
    app: TrackedApplication,
    bus: Bus,
    translate: Translate,
) -> list[Callable[[], Coroutine[Any, Any, None]]]:
    """The background job relaying `app`'s outbox from this process when it is elected among
    the replicas on the same database; none when the settings keep this process out of it."""
    relay = OutboxRelay(app, bus, translate)
    return elected_job(
        settings.outbox_relay,
        settings.database_url(database),
        f"{app.name} outbox relay",
        relay.run,
    )


def outbox_relays(background: Iterable[object]) -> list[OutboxRelay]:
    """The outbox relays among a service's background jobs, elected ones too: for the tools that
    use a relay's translation without running it (republishing, the wiring's checks)."""
    found = []
    for job in background:
        relay = getattr(job.job if isinstance(job, ElectedJob) else job, "__self__", None)
        if isinstance(relay, OutboxRelay):
            found.append(relay)
    return found

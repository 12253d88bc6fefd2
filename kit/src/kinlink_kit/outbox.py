"""The outbox relay: the event store's notification log, published to Kafka.

Events are saved once, in the store; the relay follows the store's notification log and publishes
what it finds, recording how far it got only after the broker acknowledged. A crash between the
two means the same events are published again: consumers tolerate duplicates (same event_id).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable

from eventsourcing.persistence import Notification, Tracking

from kinlink_kit.bus import Bus, OutgoingMessage
from kinlink_kit.eventstore import TrackedApplication
from kinlink_kit.logging import get_logger
from kinlink_kit.metrics import EVENTS_PUBLISHED

log = get_logger(__name__)

Translate = Callable[[Notification], OutgoingMessage | None]


class OutboxRelay:
    """Publishes each new stored event that `translate` maps to a message, in log order."""

    position_name = "outbox-relay"

    def __init__(
        self,
        app: TrackedApplication,
        bus: Bus,
        translate: Translate,
        *,
        batch_size: int = 500,
        poll_seconds: float = 0.5,
    ) -> None:
        self.app = app
        self.bus = bus
        self.translate = translate
        self.batch_size = batch_size
        self.poll_seconds = poll_seconds
        self._saved = asyncio.Event()

    def position(self) -> int:
        return self.app.tracking.max_tracking_id(self.position_name) or 0

    async def run(self) -> None:
        """Relay until cancelled; a failed publish is retried from the last recorded position."""
        self.app.on_save(asyncio.get_running_loop(), self._saved)
        position = await asyncio.to_thread(self.position)
        log.info("outbox relay started", position=position)
        while True:
            try:
                position = await self.relay_once(position)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("outbox relay failed; retrying", position=position)
                await asyncio.sleep(1.0)

    async def relay_once(self, position: int) -> int:
        """Publish one batch after `position`, or wait for new events; returns the new position."""
        notifications = await asyncio.to_thread(
            self.app.tracking.select_notifications,
            position,
            self.batch_size,
            inclusive_of_start=False,
        )
        if not notifications:
            self._saved.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._saved.wait(), self.poll_seconds)
            return position
        messages = [m for n in notifications if (m := self.translate(n)) is not None]
        await self.bus.publish(messages)
        for message in messages:
            EVENTS_PUBLISHED.labels(message.topic).inc()
        position = notifications[-1].id
        await asyncio.to_thread(
            self.app.tracking.insert_tracking, Tracking(self.position_name, position)
        )
        return position

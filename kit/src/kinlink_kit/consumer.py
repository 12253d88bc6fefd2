"""The consumer every service uses: envelope decoding, exactly-once effects, dead letters.

Failure policy: a message that cannot be decoded or validated goes to `<topic>.dlq` at once, with
the error and the original bytes; a handler that keeps failing does too after a few attempts.
Either way the consumer moves on: a bad event never stops it and is never lost.
"""

from __future__ import annotations

import asyncio
import traceback
from collections.abc import Callable, Mapping
from datetime import UTC, datetime

from eventsourcing.persistence import IntegrityError, Tracking
from kinlink_contracts.envelope import Envelope
from kinlink_contracts.topics import dead_letter_topic
from pydantic import ValidationError

from kinlink_kit.bus import Bus, IncomingMessage, OutgoingMessage
from kinlink_kit.eventstore import TrackedApplication
from kinlink_kit.logging import bind_contextvars, clear_contextvars, get_logger
from kinlink_kit.metrics import DEAD_LETTERS, EVENTS_CONSUMED

log = get_logger(__name__)

# Handlers are synchronous (the event store is); they must save their effects with
# `app.save_tracked(tracking, ...)` so that a redelivered message changes nothing.
EventHandler = Callable[[Envelope, Tracking], None]


class TrackingConsumer:
    def __init__(
        self,
        app: TrackedApplication,
        bus: Bus,
        topic: str,
        group: str,
        handlers: Mapping[str, EventHandler],
        *,
        attempts: int = 3,
        retry_seconds: float = 0.2,
    ) -> None:
        self.app = app
        self.bus = bus
        self.topic = topic
        self.group = group
        self.handlers = dict(handlers)
        self.attempts = attempts
        self.retry_seconds = retry_seconds
        bus.subscribe(topic, group, self.on_message)

    async def on_message(self, message: IncomingMessage) -> None:
        clear_contextvars()  # nothing of the previous message's context may leak into this one
        tracking = Tracking(f"{self.group}:{message.topic}:{message.partition}", message.offset)
        try:
            envelope = Envelope.from_bytes(message.value)
        except ValidationError as error:
            await self.dead_letter(message, error)
            return
        bind_contextvars(correlation_id=envelope.correlation_id, event_id=str(envelope.event_id))
        handler = self.handlers.get(envelope.type)
        if handler is None:
            EVENTS_CONSUMED.labels(self.topic, "ignored").inc()
            return
        for attempt in range(1, self.attempts + 1):
            try:
                outcome = await asyncio.to_thread(self._apply, handler, envelope, tracking)
            except ValidationError as error:
                await self.dead_letter(message, error)
                return
            except Exception as error:
                if attempt == self.attempts:
                    await self.dead_letter(message, error)
                    return
                log.warning("event handler failed; retrying", attempt=attempt, error=repr(error))
                await asyncio.sleep(self.retry_seconds * attempt)
            else:
                EVENTS_CONSUMED.labels(self.topic, outcome).inc()
                return

    def _apply(self, handler: EventHandler, envelope: Envelope, tracking: Tracking) -> str:
        if self.app.has_processed(tracking):
            return "duplicate"
        try:
            handler(envelope, tracking)
        except IntegrityError:
            # Another consumer of this group recorded the position first, or an aggregate moved
            # on under us; in the first case the effect is already there.
            if self.app.has_processed(tracking):
                return "duplicate"
            raise
        return "applied"

    async def dead_letter(self, message: IncomingMessage, error: BaseException) -> None:
        DEAD_LETTERS.labels(self.topic).inc()
        log.error(
            "event dead-lettered",
            topic=message.topic,
            partition=message.partition,
            offset=message.offset,
            error=repr(error),
        )
        await self.bus.publish(
            [
                OutgoingMessage(
                    topic=dead_letter_topic(message.topic),
                    key=message.key or "",
                    value=message.value,
                    headers={
                        **message.headers,
                        "dlq-error": repr(error)[:2000],
                        "dlq-error-type": type(error).__name__,
                        "dlq-traceback": "".join(traceback.format_exception(error))[-4000:],
                        "dlq-topic": message.topic,
                        "dlq-partition": str(message.partition),
                        "dlq-offset": str(message.offset),
                        "dlq-group": self.group,
                        "dlq-failed-at": datetime.now(UTC).isoformat(),
                    },
                )
            ]
        )

"""The consumer every service uses: envelope decoding, exactly-once effects, dead letters.

Failure policy (decision 0018). A message that can never succeed goes to `<topic>.dlq` at once,
with the error and the original bytes: bytes that are not an envelope, a payload that fails its
schema, or an `EventRejected` (what the service knows contradicts the event). Anything else (the
database or the broker unavailable, a timeout, a concurrent change) may pass: the message is
delivered again after a capped exponential backoff, for as long as it takes, and nothing after it
in its partition is handled meanwhile. The offset is committed only once the effect or the dead
letter is durably written; a dead letter that cannot be written is such a passing failure too.

Deduplication (decision 0017): the effect is saved with a tracking record keyed by the envelope's
`event_id`, so an event published again (under any offset, on any cluster) changes nothing.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from collections.abc import Iterator
from collections.abc import Mapping
from contextlib import contextmanager
from functools import partial
from typing import Any
from typing import TypeVar
from uuid import UUID

from eventsourcing.persistence import IntegrityError
from eventsourcing.persistence import Tracking
from kinlink_contracts.envelope import Envelope
from kinlink_contracts.topics import dead_letter_topic
from pydantic import ValidationError

from kinlink_kit.application import ServiceApplication
from kinlink_kit.bus import Bus
from kinlink_kit.bus import IncomingMessage
from kinlink_kit.bus import OutgoingMessage
from kinlink_kit.dead_letters import failure_headers
from kinlink_kit.errors import ClientError
from kinlink_kit.errors import ErrorKind
from kinlink_kit.eventstore import TrackedApplication
from kinlink_kit.logging import bind_contextvars
from kinlink_kit.logging import clear_contextvars
from kinlink_kit.logging import get_logger
from kinlink_kit.metrics import DEAD_LETTERS
from kinlink_kit.metrics import EVENTS_CONSUMED
from kinlink_kit.metrics import EVENTS_RETRIED
from kinlink_kit.metrics import EVENTS_WAITING

log = get_logger(__name__)

# Handlers are synchronous (the event store is); they must save their effects with
# `app.save_tracked(tracking, ...)` so that a redelivered event changes nothing.
EventHandler = Callable[[Envelope, Tracking], None]

# Refusals that say "not now" rather than "never": the event is retried, not dead-lettered.
PASSING_KINDS = frozenset({ErrorKind.UNAVAILABLE, ErrorKind.ABORTED, ErrorKind.RESOURCE_EXHAUSTED})


class EventRejected(Exception):
    """An event that contradicts what the service knows (an unknown deposit, a resident no longer
    at the facility): it can never succeed, so it is dead-lettered at once. The message carries
    the code a client would have seen, for the dead letter's `dlq-error` header."""

    def __init__(self, event_type: str, code: str, message: str) -> None:
        super().__init__(f"{event_type} rejected: {code}: {message}")
        self.code = code


@contextmanager
def rejecting(envelope: Envelope, rejected: type[EventRejected] = EventRejected) -> Iterator[None]:
    """Raise the block's client errors as `rejected`, except those that may pass if retried."""
    try:
        yield
    except ClientError as error:
        if error.kind in PASSING_KINDS:
            raise
        raise rejected(envelope.type, error.code, error.message) from error


def event_tracking(event_id: UUID) -> Tracking:
    """The tracking record of an upstream event's effect: one row per event id (the library's
    tracking table keeps one row per name, whose number only grows)."""
    return Tracking(f"event:{event_id}", 1)


class TrackingConsumer:
    def __init__(
        self,
        app: TrackedApplication,
        bus: Bus,
        topic: str,
        group: str,
        handlers: Mapping[str, EventHandler],
        *,
        retry_seconds: float = 0.2,
        max_retry_seconds: float = 30.0,
    ) -> None:
        self.app = app
        self.bus = bus
        self.topic = topic
        self.group = group
        self.handlers = dict(handlers)
        self.retry_seconds = retry_seconds
        self.max_retry_seconds = max_retry_seconds
        # Failed attempts of the message each partition is stuck on, for the backoff.
        self._failures: dict[int, tuple[int, int]] = {}
        bus.subscribe(topic, group, self.on_message)

    async def on_message(self, message: IncomingMessage) -> None:
        """Handle or dead-letter the message; raises (so the bus delivers it again) on a failure
        that may pass, after waiting out the backoff."""
        clear_contextvars()  # nothing of the previous message's context may leak into this one
        try:
            outcome = await self._handle(message)
        except Exception as error:
            await self._back_off(message, error)
            raise
        if self._failures.pop(message.partition, None) is not None:
            EVENTS_WAITING.labels(self.topic, self.group).set(len(self._failures))
            log.info("event handled after retries", topic=message.topic, offset=message.offset)
        EVENTS_CONSUMED.labels(self.topic, outcome).inc()

    async def _handle(self, message: IncomingMessage) -> str:
        try:
            envelope = Envelope.from_bytes(message.value)
        except ValidationError as error:
            await self.dead_letter(message, error)
            return "dead_lettered"
        bind_contextvars(correlation_id=envelope.correlation_id, event_id=str(envelope.event_id))
        handler = self.handlers.get(envelope.type)
        if handler is None:
            return "ignored"
        try:
            return await asyncio.to_thread(self._apply, handler, envelope)
        except (ValidationError, EventRejected) as error:
            await self.dead_letter(message, error)
            return "dead_lettered"

    def _apply(self, handler: EventHandler, envelope: Envelope) -> str:
        tracking = event_tracking(envelope.event_id)
        if self.app.has_processed(tracking):
            return "duplicate"
        try:
            handler(envelope, tracking)
        except IntegrityError:
            # Another consumer recorded this event first, or an aggregate moved on under us
            # (then the retry reads it again).
            if self.app.has_processed(tracking):
                return "duplicate"
            raise
        return "applied"

    def backoff(self, failures: int) -> float:
        """Seconds to wait after the `failures`-th failed attempt at one message."""
        return float(min(self.retry_seconds * 2 ** (failures - 1), self.max_retry_seconds))

    async def _back_off(self, message: IncomingMessage, error: Exception) -> None:
        offset, failures = self._failures.get(message.partition, (message.offset, 0))
        failures = failures + 1 if offset == message.offset else 1
        self._failures[message.partition] = (message.offset, failures)
        delay = self.backoff(failures)
        EVENTS_RETRIED.labels(self.topic, type(error).__name__).inc()
        EVENTS_WAITING.labels(self.topic, self.group).set(len(self._failures))
        log.warning(
            "event not handled yet; its partition waits",
            topic=message.topic,
            partition=message.partition,
            offset=message.offset,
            attempt=failures,
            retry_in_seconds=delay,
            error=repr(error),
        )
        await asyncio.sleep(delay)

    async def dead_letter(self, message: IncomingMessage, error: BaseException) -> None:
        """Publish the message to the dead-letter topic; returns once the broker has it."""
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
                        **failure_headers(error),
                        "dlq-topic": message.topic,
                        "dlq-partition": str(message.partition),
                        "dlq-offset": str(message.offset),
                        "dlq-group": self.group,
                    },
                )
            ]
        )
        DEAD_LETTERS.labels(self.topic).inc()


Service = TypeVar("Service", bound=ServiceApplication[Any, Any])
# A service's handler: its application, the event, the tracking record to save the effect with.
ServiceEventHandler = Callable[[Service, Envelope, Tracking], None]


def consume(
    service: Service,
    bus: Bus,
    group: str,
    handlers: Mapping[str, Mapping[str, ServiceEventHandler[Service]]],
) -> list[TrackingConsumer]:
    """Every topic the service consumes, by topic then event type: one consumer per topic, all
    in the service's group, each handler given the service's application."""
    return [
        TrackingConsumer(
            service.store,
            bus,
            topic,
            group,
            {event_type: partial(handle, service) for event_type, handle in by_type.items()},
        )
        for topic, by_type in handlers.items()
    ]

"""Stored domain events to integration events: what every service's outbox translation shares.

A service lists, per domain event class, a translation making the integration event of it; the
relay publishes only events in that table. Each is wrapped in the contract's envelope with an
`event_id` derived from the domain event (its aggregate and version), so an event the relay
publishes twice keeps one id and consumers recognise the duplicate.
"""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from uuid import UUID
from uuid import uuid5

from eventsourcing.application import Application
from eventsourcing.persistence import Notification
from eventsourcing.utils import get_topic
from kinlink_contracts.envelope import Envelope
from kinlink_contracts.envelope import IntegrationEvent

from kinlink_kit.bus import OutgoingMessage


@dataclass(frozen=True)
class Published:
    """An integration event and its partition key; the correlation id defaults to the id of the
    aggregate whose event it is."""

    key: str
    event: IntegrationEvent
    correlation_id: str = ""
    causation_id: str | None = None


# A stored domain event -> what to publish of it (None: nothing, e.g. it was only remembered).
Translation = Callable[[Any], Published | None]


class EventTranslator:
    """The relay's translation (`kinlink_kit.outbox.each`) of one service's events to `topic`."""

    def __init__(
        self,
        store: Application[UUID],
        producer: str,
        topic: str,
        translations: Mapping[type, Translation],
    ) -> None:
        self.store = store
        self.producer = producer
        self.topic = topic
        # Keyed by the stored topic, so that an event nobody publishes is never decoded.
        self._translations = {get_topic(cls): t for cls, t in translations.items()}

    def __call__(self, notification: Notification) -> OutgoingMessage | None:
        translate = self._translations.get(notification.topic)
        if translate is None:
            return None
        domain_event: Any = self.store.mapper.to_domain_event(notification)
        published = translate(domain_event)
        if published is None:
            return None
        envelope = Envelope.wrap(
            published.event,
            key=published.key,
            producer=self.producer,
            correlation_id=published.correlation_id or str(domain_event.originator_id),
            causation_id=published.causation_id,
            event_id=uuid5(domain_event.originator_id, str(domain_event.originator_version)),
            occurred_at=domain_event.timestamp,
        )
        return OutgoingMessage(self.topic, published.key, envelope.to_bytes())

"""Maps the ledger's stored domain events to the integration events other services read, on
`kinlink.ledger.events.v1`: one module per part of the ledger (deposits, the messaging
subscription's wallet, commissary allowances). Quotes, weeks, histories, facilities' terms and
journal entries are the ledger's own business and stay inside.

Each event's id derives from the domain event (its aggregate and version), so an event the relay
publishes twice keeps one id; the events of one batch are published in the order they were
stored, whatever part of the ledger they belong to.
"""

from __future__ import annotations

from typing import Any
from uuid import uuid5

from eventsourcing.persistence import Notification
from eventsourcing.utils import get_topic
from kinlink_contracts.envelope import Envelope
from kinlink_contracts.topics import LEDGER_EVENTS
from kinlink_kit.bus import OutgoingMessage

from kinlink_ledger.adapters.integration_events.allowances import allowance_translations
from kinlink_ledger.adapters.integration_events.base import PRODUCER, FirstEvents, Translation
from kinlink_ledger.adapters.integration_events.deposits import deposit_translations
from kinlink_ledger.adapters.integration_events.wallets import wallet_translations
from kinlink_ledger.service_layer.ledger import LedgerStore

__all__ = ["PRODUCER", "LedgerEventTranslator"]


class LedgerEventTranslator:
    """The relay's translation: each part's events as that part maps them, the rest nothing.
    `remembered` bounds how many aggregates' first events are kept (see FirstEvents)."""

    def __init__(self, store: LedgerStore, remembered: int = 100_000) -> None:
        self.store = store
        first_events = FirstEvents(store, remembered)
        translations: dict[type, Translation] = {
            **deposit_translations(first_events),
            **wallet_translations(first_events),
            **allowance_translations(store, first_events),
        }
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
            producer=PRODUCER,
            correlation_id=published.correlation_id or str(domain_event.originator_id),
            causation_id=published.causation_id,
            # Derived, so that an event the relay publishes twice keeps one id.
            event_id=uuid5(domain_event.originator_id, str(domain_event.originator_version)),
            occurred_at=domain_event.timestamp,
        )
        return OutgoingMessage(LEDGER_EVENTS, published.key, envelope.to_bytes())

"""Maps the ledger's stored domain events to the integration events other services read."""

from __future__ import annotations

from collections import OrderedDict
from typing import Any
from uuid import UUID, uuid5

from eventsourcing.persistence import Notification
from eventsourcing.utils import get_topic
from kinlink_contracts.envelope import Envelope, IntegrationEvent
from kinlink_contracts.ledger import DepositCaptured, DepositDeclined, DepositRequested
from kinlink_contracts.topics import LEDGER_EVENTS
from kinlink_kit.bus import OutgoingMessage

from kinlink_ledger.domain.deposit import Deposit
from kinlink_ledger.service_layer.ledger import LedgerStore

PRODUCER = "ledger"
_PUBLISHED = {get_topic(cls) for cls in (Deposit.Requested, Deposit.Captured, Deposit.Declined)}


class LedgerEventTranslator:
    """Deposit events become DepositRequested/Captured/Declined keyed by resident id; the other
    aggregates (quotes, weeks, histories) are the ledger's own business and stay inside.

    Deposits' first events are remembered (a bounded number), so that their outcomes can be
    published without reading the deposit back from the store."""

    def __init__(self, store: LedgerStore, remembered: int = 100_000) -> None:
        self.store = store
        self.remembered = remembered
        self._requested: OrderedDict[UUID, Deposit.Requested] = OrderedDict()

    def __call__(self, notification: Notification) -> OutgoingMessage | None:
        if notification.topic not in _PUBLISHED:
            return None
        domain_event = self.store.mapper.to_domain_event(notification)
        assert isinstance(domain_event, Deposit.Event)
        requested = self._requested_event(domain_event)
        event = self._integration_event(domain_event, requested)
        deposit_id = domain_event.originator_id
        envelope = Envelope.wrap(
            event,
            key=requested.resident_id,
            producer=PRODUCER,
            correlation_id=requested.correlation_id or str(deposit_id),
            causation_id=str(requested.quote_id),
            # Derived, so that an event the relay publishes twice keeps one id.
            event_id=uuid5(deposit_id, str(domain_event.originator_version)),
            occurred_at=domain_event.timestamp,
        )
        return OutgoingMessage(LEDGER_EVENTS, requested.resident_id, envelope.to_bytes())

    def _requested_event(self, domain_event: Any) -> Deposit.Requested:
        deposit_id = domain_event.originator_id
        if isinstance(domain_event, Deposit.Requested):
            requested = domain_event
        elif deposit_id in self._requested:
            return self._requested[deposit_id]
        else:  # published before a restart: read the deposit's first event back once
            [first] = self.store.events.get(deposit_id, lte=1)
            assert isinstance(first, Deposit.Requested)
            requested = first
        self._requested[deposit_id] = requested
        if len(self._requested) > self.remembered:
            self._requested.popitem(last=False)
        return requested

    @staticmethod
    def _integration_event(domain_event: Any, requested: Deposit.Requested) -> IntegrationEvent:
        common: dict[str, Any] = {
            "deposit_id": requested.originator_id,
            "facility_id": requested.facility_id,
            "resident_id": requested.resident_id,
            "depositor_id": requested.depositor_id,
            "amount_cents": requested.amount,
            "fee_cents": requested.fee,
        }
        if isinstance(domain_event, Deposit.Requested):
            return DepositRequested(**common, week_start=requested.week_start)
        if isinstance(domain_event, Deposit.Captured):
            return DepositCaptured(
                **common,
                total_cents=requested.amount + requested.fee,
                payment_reference=domain_event.payment_reference,
                receipt_number=Deposit.receipt_number_of(requested.originator_id),
            )
        return DepositDeclined(**common, reason=domain_event.reason)

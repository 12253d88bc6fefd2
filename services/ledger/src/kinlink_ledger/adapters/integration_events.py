"""Maps the ledger's stored domain events to the integration events other services read."""

from __future__ import annotations

from uuid import uuid5

from eventsourcing.persistence import Notification
from kinlink_contracts.envelope import Envelope, IntegrationEvent
from kinlink_contracts.ledger import DepositCaptured, DepositDeclined, DepositRequested
from kinlink_contracts.topics import LEDGER_EVENTS
from kinlink_kit.bus import OutgoingMessage

from kinlink_ledger.domain.deposit import Deposit
from kinlink_ledger.service_layer.ledger import LedgerStore

PRODUCER = "ledger"


class LedgerEventTranslator:
    """Deposit events become DepositRequested/Captured/Declined keyed by resident id; the other
    aggregates (quotes, weeks, histories) are the ledger's own business and stay inside."""

    def __init__(self, store: LedgerStore) -> None:
        self.store = store

    def __call__(self, notification: Notification) -> OutgoingMessage | None:
        domain_event = self.store.mapper.to_domain_event(notification)
        if not isinstance(domain_event, Deposit.Requested | Deposit.Captured | Deposit.Declined):
            return None
        deposit = self.store.repository.get(
            domain_event.originator_id, version=domain_event.originator_version
        )
        assert isinstance(deposit, Deposit)
        event = self._integration_event(domain_event, deposit)
        envelope = Envelope.wrap(
            event,
            key=deposit.resident_id,
            producer=PRODUCER,
            correlation_id=deposit.correlation_id or str(deposit.id),
            causation_id=str(deposit.quote_id),
            # Derived, so that an event the relay publishes twice keeps one id.
            event_id=uuid5(deposit.id, str(domain_event.originator_version)),
            occurred_at=domain_event.timestamp,
        )
        return OutgoingMessage(LEDGER_EVENTS, deposit.resident_id, envelope.to_bytes())

    @staticmethod
    def _integration_event(domain_event: object, deposit: Deposit) -> IntegrationEvent:
        common = {
            "deposit_id": deposit.id,
            "facility_id": deposit.facility_id,
            "resident_id": deposit.resident_id,
            "depositor_id": deposit.depositor_id,
            "amount_cents": deposit.amount,
            "fee_cents": deposit.fee,
        }
        if isinstance(domain_event, Deposit.Requested):
            return DepositRequested(**common, week_start=deposit.week_start)
        if isinstance(domain_event, Deposit.Captured):
            assert deposit.payment_reference is not None
            return DepositCaptured(
                **common,
                total_cents=deposit.total,
                payment_reference=deposit.payment_reference,
                receipt_number=deposit.receipt_number,
            )
        assert deposit.decline_reason is not None
        return DepositDeclined(**common, reason=deposit.decline_reason)

"""Maps the ledger's stored domain events to the integration events other services read."""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from typing import Any
from uuid import UUID, uuid5

from eventsourcing.persistence import Notification
from kinlink_contracts.envelope import Envelope, IntegrationEvent
from kinlink_contracts.ledger import DepositCaptured, DepositDeclined, DepositRequested
from kinlink_contracts.topics import LEDGER_EVENTS
from kinlink_kit.bus import OutgoingMessage

from kinlink_ledger.domain.deposit import Deposit
from kinlink_ledger.service_layer.ledger import LedgerStore

PRODUCER = "ledger"


@dataclass(frozen=True)
class _RequestedDeposit:
    """What a deposit's first event said: every later integration event repeats it."""

    deposit_id: UUID
    quote_id: UUID
    facility_id: str
    resident_id: str
    depositor_id: str
    amount: int
    fee: int
    week_start: str
    correlation_id: str

    @classmethod
    def of(cls, deposit_id: UUID, deposit: Any) -> _RequestedDeposit:
        """From a Deposit, or from its Requested event (which carries the same attributes)."""
        return cls(
            deposit_id,
            deposit.quote_id,
            deposit.facility_id,
            deposit.resident_id,
            deposit.depositor_id,
            deposit.amount,
            deposit.fee,
            deposit.week_start,
            deposit.correlation_id,
        )

    def common(self) -> dict[str, Any]:
        return {
            "deposit_id": self.deposit_id,
            "facility_id": self.facility_id,
            "resident_id": self.resident_id,
            "depositor_id": self.depositor_id,
            "amount_cents": self.amount,
            "fee_cents": self.fee,
        }


class LedgerEventTranslator:
    """Deposit events become DepositRequested/Captured/Declined keyed by resident id; the other
    aggregates (quotes, weeks, histories) are the ledger's own business and stay inside.

    Deposits' first events are remembered (a bounded number), so that their outcomes can be
    published without reading the deposit back from the store."""

    def __init__(self, store: LedgerStore, remembered: int = 100_000) -> None:
        self.store = store
        self.remembered = remembered
        self._requested: OrderedDict[UUID, _RequestedDeposit] = OrderedDict()

    def __call__(self, notification: Notification) -> OutgoingMessage | None:
        domain_event = self.store.mapper.to_domain_event(notification)
        if not isinstance(domain_event, Deposit.Requested | Deposit.Captured | Deposit.Declined):
            return None
        requested = self._requested_deposit(domain_event)
        event = self._integration_event(domain_event, requested)
        envelope = Envelope.wrap(
            event,
            key=requested.resident_id,
            producer=PRODUCER,
            correlation_id=requested.correlation_id or str(requested.deposit_id),
            causation_id=str(requested.quote_id),
            # Derived, so that an event the relay publishes twice keeps one id.
            event_id=uuid5(requested.deposit_id, str(domain_event.originator_version)),
            occurred_at=domain_event.timestamp,
        )
        return OutgoingMessage(LEDGER_EVENTS, requested.resident_id, envelope.to_bytes())

    def _requested_deposit(self, domain_event: Any) -> _RequestedDeposit:
        deposit_id = domain_event.originator_id
        if isinstance(domain_event, Deposit.Requested):
            requested = _RequestedDeposit.of(deposit_id, domain_event)
        elif deposit_id in self._requested:
            return self._requested[deposit_id]
        else:  # published before a restart: read it back once
            requested = _RequestedDeposit.of(
                deposit_id, self.store.repository.get(deposit_id, version=1)
            )
        self._requested[deposit_id] = requested
        if len(self._requested) > self.remembered:
            self._requested.popitem(last=False)
        return requested

    @staticmethod
    def _integration_event(domain_event: Any, requested: _RequestedDeposit) -> IntegrationEvent:
        if isinstance(domain_event, Deposit.Requested):
            return DepositRequested(**requested.common(), week_start=requested.week_start)
        if isinstance(domain_event, Deposit.Captured):
            return DepositCaptured(
                **requested.common(),
                total_cents=requested.amount + requested.fee,
                payment_reference=domain_event.payment_reference,
                receipt_number=Deposit.receipt_number_of(requested.deposit_id),
            )
        return DepositDeclined(**requested.common(), reason=domain_event.reason)

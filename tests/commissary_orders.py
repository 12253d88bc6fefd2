"""What the commissary's order tests share: a ledger standing in for ChargeOrder (each order
captured at most once, each attempt answered once, answers that may be lost) and a vendor's
catalog. Facilities and residents are recorded with `tests.commissary_doubles`."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from dataclasses import field
from datetime import UTC
from datetime import datetime
from uuid import UUID

from kinlink_commissary.domain.ports import ChargeRequest
from kinlink_commissary.domain.ports import ChargeStatus
from kinlink_commissary.domain.ports import LedgerUnavailable
from kinlink_commissary.domain.ports import OrderCharge

FACILITY = "FAC-SHOP"
RESIDENT = "R-2001"
VENDOR = "Acme Commissary"
CATALOG_CSV = (
    b"sku,name,description,category,price_cents,max_per_order\n"
    b"SOAP-1,Soap,Unscented bar,Hygiene,150,3\n"
    b"NOOD-3,Noodles,Chicken ramen,Food,75,10\n"
    b"CAFE-2,Instant coffee,,Food,499,2\n"
)
# Stripe's test payment methods, as the ledger's simulated processor answers them.
DECLINES = {
    "pm_card_chargeDeclined": "card_declined",
    "pm_card_chargeDeclinedInsufficientFunds": "insufficient_funds",
    "pm_card_authenticationRequired": "authentication_required",
}


@dataclass
class MemoryLedger:
    """ChargeOrder as the ledger answers it: the same (order, attempt) gets its first answer, an
    order captured returns its capture for any attempt and is never charged again; a card from
    DECLINES is declined. `unavailable` makes every call fail before the ledger is reached;
    `lose_answers` lets the charge happen and loses its answer (a timeout)."""

    unavailable: bool = False
    lose_answers: bool = False
    captures: dict[UUID, OrderCharge] = field(default_factory=dict)
    answers: dict[tuple[UUID, int], OrderCharge] = field(default_factory=dict)
    processor_charges: list[tuple[UUID, int, int]] = field(default_factory=list)
    asked: list[ChargeRequest] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def charge(self, request: ChargeRequest) -> OrderCharge:
        self.asked.append(request)
        if self.unavailable:
            raise LedgerUnavailable()
        with self._lock:
            answer = self.captures.get(request.order_id) or self.answers.get(
                (request.order_id, request.attempt)
            )
            if answer is None:
                answer = self._charged(request)
        if self.lose_answers:
            raise LedgerUnavailable()
        return answer

    def _charged(self, request: ChargeRequest) -> OrderCharge:
        decline = DECLINES.get(request.payment_method)
        if decline is not None:
            answer = OrderCharge(ChargeStatus.DECLINED, decline_reason=decline)
        else:
            self.processor_charges.append((request.order_id, request.attempt, request.amount_cents))
            answer = OrderCharge(
                ChargeStatus.CAPTURED,
                receipt_number=f"C-{len(self.processor_charges):06d}",
                charged_at=datetime(2026, 11, 25, 18, 0, 1, tzinfo=UTC),
            )
            self.captures[request.order_id] = answer
        self.answers[(request.order_id, request.attempt)] = answer
        return answer

    def charged_cents(self, order_id: UUID) -> int:
        return sum(amount for charged, _, amount in self.processor_charges if charged == order_id)

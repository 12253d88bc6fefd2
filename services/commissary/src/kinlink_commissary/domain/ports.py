"""What the commissary's orders need from outside, as the use cases see it; the adapters
implement these.

- `OrderCharges`: the ledger, which charges an order's card once per order (`ChargeOrder`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Protocol
from uuid import UUID

from kinlink_kit.errors import Unavailable


class LedgerUnavailable(Unavailable):
    def __init__(self) -> None:
        super().__init__(
            "ledger_unavailable",
            "The payment could not be confirmed just now: the order stays Processing and is "
            "asked again shortly; it is never charged twice.",
        )


class ChargeStatus(StrEnum):
    PENDING = "pending"  # the ledger has not got the processor's answer yet
    CAPTURED = "captured"
    DECLINED = "declined"


@dataclass(frozen=True)
class ChargeRequest:
    """Attempt `attempt` at charging order `order_id`: asked again, it is the same charge."""

    order_id: UUID
    attempt: int
    account_id: UUID
    facility_id: str
    resident_id: str
    amount_cents: int
    payment_method: str


@dataclass(frozen=True)
class OrderCharge:
    status: ChargeStatus
    decline_reason: str = ""
    receipt_number: str = ""
    charged_at: datetime | None = None


class OrderCharges(Protocol):
    def charge(self, request: ChargeRequest) -> OrderCharge:
        """Charges the order once, however often asked: the same attempt again returns its
        answer, and an order already captured returns that capture for any attempt. Raises
        `LedgerUnavailable` when the ledger cannot be reached, cannot answer in time, or is
        busy with another attempt of the same order: then the order may or may not have
        been charged, and the same request is asked again later."""
        ...

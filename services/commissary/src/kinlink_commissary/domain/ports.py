"""What the commissary's use cases need from outside, in the domain's words."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Protocol
from uuid import UUID

from kinlink_kit.errors import NotFound
from kinlink_kit.errors import Unavailable


class FacilityNotFound(NotFound):
    def __init__(self, facility_id: str) -> None:
        super().__init__("facility_not_found", f"No facility {facility_id}.")


class LedgerUnavailable(Unavailable):
    """The ledger did not answer: nothing was recorded here; the same call may be repeated."""

    def __init__(self) -> None:
        super().__init__("ledger_unavailable", "The ledger cannot be reached just now.")


@dataclass(frozen=True)
class AllowanceRequest:
    """What a family member asks for: held on the card, and compared with the allowance a
    repeat of the request finds."""

    account_id: UUID
    facility_id: str
    resident_id: str
    amount_cents: int
    payment_method: str  # a processor token of one of the account's cards


@dataclass(frozen=True)
class Hold:
    """The ledger's answer: held, or declined with its reason (a DeclineReason code)."""

    held: bool
    decline_reason: str = ""


class AllowanceHolds(Protocol):
    """The ledger's allowance holds on family members' cards."""

    def authorize(self, allowance_id: UUID, request: AllowanceRequest) -> Hold:
        """Hold the amount on the card under the allowance's id (a repeat holds once).
        Refusals of the request itself (a card not the account's) pass as the ledger's
        ClientErrors; LedgerUnavailable when it cannot be reached."""
        ...


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

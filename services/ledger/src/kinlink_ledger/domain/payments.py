"""The payment port: what the ledger asks of a card processor."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field

from kinlink_contracts.ledger import DeclineReason

from kinlink_ledger.domain.money import Cents


@dataclass(frozen=True)
class CardDetails:
    brand: str  # visa, mastercard, discover, amex, ...
    funding: str  # credit, debit, prepaid or unknown


@dataclass(frozen=True)
class ChargeRequest:
    idempotency_key: str  # the deposit id: a retried charge is the same charge
    amount: Cents
    payment_method: str
    description: str
    metadata: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ChargeOutcome:
    reference: str | None
    decline_reason: DeclineReason | None = None

    @property
    def captured(self) -> bool:
        return self.decline_reason is None


class PaymentUnavailable(Exception):
    """The processor could not be reached or gave no definite answer; retrying is safe."""


class UnknownPaymentMethod(Exception):
    """The processor does not know this payment method token."""


class PaymentProcessor(ABC):
    @abstractmethod
    def card_details(self, payment_method: str) -> CardDetails:
        """Raises UnknownPaymentMethod or PaymentUnavailable."""

    @abstractmethod
    def charge(self, request: ChargeRequest) -> ChargeOutcome:
        """Charge and capture at once; the same idempotency key never charges twice."""

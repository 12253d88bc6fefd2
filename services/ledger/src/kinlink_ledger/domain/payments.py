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
    # Whether the payer can be sent through the issuer's challenge (3-D Secure) and come back
    # to finish: a wallet funding can wait for that; a deposit is declined instead.
    payer_present: bool = False


@dataclass(frozen=True)
class ChargeOutcome:
    reference: str | None
    decline_reason: DeclineReason | None = None
    # Set while the issuer waits for the payer to authenticate: what the client needs to show
    # the challenge (Stripe's PaymentIntent client secret).
    authentication: str | None = None

    @property
    def captured(self) -> bool:
        return self.decline_reason is None and self.authentication is None

    @property
    def awaiting_authentication(self) -> bool:
        return self.authentication is not None


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

    @abstractmethod
    def charge_outcome(self, reference: str) -> ChargeOutcome:
        """Where a charge that waited for the payer's authentication stands now."""

    @abstractmethod
    def cancel(self, reference: str) -> None:
        """Abandon a charge that was not captured, so nothing stays held on the card."""

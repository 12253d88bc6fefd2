"""The payment port: what the ledger asks of a card processor.

Besides charges, card holds for commissary allowances: authorised at once, captured later for
what was used, the rest released. A hold is captured once: Stripe captures one PaymentIntent
several times only with multicapture, which it offers on IC+ pricing alone and grants per charge
(`request_multicapture: if_available`, then `multicapture.status` on the charge); without it a
partial capture ends the hold and releases the rest. So the port has no partial, non-final
capture, and nothing can count on one.

A charge is two steps, `start` then `confirm` (decision 0016): the ledger records the payment's
reference between them, so a charge whose answer was lost is looked up by that reference and
finished, never started again (the processor forgets idempotency keys after 24 hours).
"""

from __future__ import annotations

from abc import ABC
from abc import abstractmethod
from dataclasses import dataclass
from dataclasses import field

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
    # Set while the issuer waits for the payer to authenticate: what the client needs to show
    # the challenge (Stripe's PaymentIntent client secret).
    authentication: str | None = None
    # The processor took the charge and has no outcome yet (Stripe's `processing`): ask later.
    processing: bool = False

    @property
    def captured(self) -> bool:
        return self.decline_reason is None and self.authentication is None and not self.processing

    @property
    def awaiting_authentication(self) -> bool:
        return self.authentication is not None


class PaymentUnavailable(Exception):
    """The processor could not be reached or gave no definite answer; retrying is safe."""


class PaymentRefused(Exception):
    """The processor refused the request itself, not the card (Stripe's InvalidRequestError or
    IdempotencyError): asking again would be refused the same way."""


class UnknownPaymentMethod(Exception):
    """The processor does not know this payment method token."""


class PaymentProcessor(ABC):
    @abstractmethod
    def card_details(self, payment_method: str) -> CardDetails:
        """Raises UnknownPaymentMethod or PaymentUnavailable."""

    @abstractmethod
    def start(self, request: ChargeRequest) -> str:
        """Create the payment, charging nothing yet; returns its reference, which the ledger
        records before confirming. The same idempotency key gives the same payment while the
        processor remembers it (Stripe: 24 hours), then a new one: harmless, since only a
        payment confirmed by its recorded reference is ever charged. Raises PaymentRefused or
        PaymentUnavailable."""

    @abstractmethod
    def confirm(self, reference: str, *, payer_present: bool) -> ChargeOutcome:
        """Charge and capture a started payment. A payment is charged once at most, however
        often it is confirmed: one confirmed already answers how it stands (`processing` while
        the processor has no outcome yet). `payer_present`: the payer can be sent through the
        issuer's challenge (3-D Secure) and come back to finish; without one, a challenge is a
        decline. Raises PaymentRefused, or PaymentUnavailable when the answer is unknown."""

    @abstractmethod
    def charge_outcome(self, reference: str) -> ChargeOutcome:
        """Where a confirmed charge stands now (one that waited for the payer's
        authentication, or was still processing)."""

    @abstractmethod
    def cancel(self, reference: str) -> None:
        """Abandon a charge that was not captured, so nothing stays held on the card."""

    @abstractmethod
    def authorize(self, request: ChargeRequest) -> ChargeOutcome:
        """Hold the amount on the card without capturing it; declined as `charge` would be. The
        same idempotency key never holds twice. A held outcome is `captured` in the sense that
        the issuer agreed; nothing is charged until `capture`."""

    @abstractmethod
    def capture(self, reference: str, amount: Cents, idempotency_key: str) -> None:
        """Capture `amount` (at most what is held) of a hold, once and for all: the rest of the
        hold is released with it. Raises PaymentUnavailable when the answer is unknown; asking
        again with the same idempotency key never captures twice."""

    @abstractmethod
    def release(self, reference: str) -> None:
        """Release a hold nothing is captured from, so nothing stays held on the card; a hold
        already captured or released is left as it is."""

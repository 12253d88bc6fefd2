"""A card processor in memory whose outcomes follow Stripe's documented test payment methods.

Used in the embedded mode and in tests: stripe-mock accepts every request, so declines and
payer authentication are exercised here. So are card holds: it keeps what each holds and what was
captured of it, and refuses, as Stripe would, to capture more than a hold or a hold twice.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from uuid import NAMESPACE_URL, uuid5

from kinlink_contracts.ledger import DeclineReason

from kinlink_ledger.domain.money import Cents
from kinlink_ledger.domain.payments import (
    CardDetails,
    ChargeOutcome,
    ChargeRequest,
    PaymentProcessor,
    UnknownPaymentMethod,
)

CARDS = {
    "pm_card_visa": CardDetails("visa", "credit"),
    "pm_card_visa_debit": CardDetails("visa", "debit"),
    "pm_card_mastercard": CardDetails("mastercard", "credit"),
    "pm_card_mastercard_debit": CardDetails("mastercard", "debit"),
    "pm_card_mastercard_prepaid": CardDetails("mastercard", "prepaid"),
    "pm_card_discover": CardDetails("discover", "credit"),
    "pm_card_amex": CardDetails("amex", "credit"),
    "pm_card_diners": CardDetails("diners", "credit"),
    "pm_card_jcb": CardDetails("jcb", "credit"),
    "pm_card_unionpay": CardDetails("unionpay", "credit"),
}

# Visa cards that Stripe declines, or that need 3-D Secure, when charged.
DECLINES = {
    "pm_card_chargeDeclined": DeclineReason.CARD_DECLINED,
    "pm_card_chargeDeclinedFraudulent": DeclineReason.CARD_DECLINED,
    "pm_card_chargeDeclinedIncorrectCvc": DeclineReason.CARD_DECLINED,
    "pm_card_chargeDeclinedLostCard": DeclineReason.CARD_DECLINED,
    "pm_card_chargeDeclinedStolenCard": DeclineReason.CARD_DECLINED,
    "pm_card_chargeDeclinedProcessingError": DeclineReason.CARD_DECLINED,
    "pm_card_chargeDeclinedInsufficientFunds": DeclineReason.INSUFFICIENT_FUNDS,
    "pm_card_chargeDeclinedExpiredCard": DeclineReason.EXPIRED_CARD,
    # The issuer demands a challenge the payer fails ("Payer Authentication has failed").
    "pm_card_authenticationRequired": DeclineReason.PAYER_AUTHENTICATION_FAILED,
    # The issuer demands a challenge it cannot present ("... was unable to complete").
    "pm_card_threeDSecure2Required": DeclineReason.PAYER_AUTHENTICATION_UNAVAILABLE,
}

# Cards whose issuer challenges the payer (3-D Secure). A payer who can answer (a wallet
# funding) is asked to; see `authenticate`. Without one, the charge is declined as above.
CHALLENGED = {
    "pm_card_authenticationRequired",
    "pm_card_threeDSecure2Required",
    "pm_card_threeDSecureRequired",
}


@dataclass
class Hold:
    """A card hold: what was authorised, and what was captured of it once it is over (captured
    or released, the rest of it is no longer held)."""

    amount: int
    captured: int = 0
    capture_key: str | None = None
    over: bool = False


class SimulatedProcessor(PaymentProcessor):
    def __init__(self) -> None:
        self._charges: dict[str, tuple[ChargeRequest, ChargeOutcome]] = {}
        self._keys: dict[str, str] = {}  # reference -> idempotency key
        self._holds: dict[str, Hold] = {}  # reference -> the hold it placed
        self._lock = threading.Lock()

    def card_details(self, payment_method: str) -> CardDetails:
        if payment_method in DECLINES or payment_method in CHALLENGED:
            return CardDetails("visa", "credit")
        try:
            return CARDS[payment_method]
        except KeyError:
            raise UnknownPaymentMethod(payment_method) from None

    def charge(self, request: ChargeRequest) -> ChargeOutcome:
        return self._answer(request, hold=False)

    def authorize(self, request: ChargeRequest) -> ChargeOutcome:
        return self._answer(request, hold=True)

    def _answer(self, request: ChargeRequest, *, hold: bool) -> ChargeOutcome:
        with self._lock:
            if request.idempotency_key in self._charges:
                first_request, outcome = self._charges[request.idempotency_key]
                if first_request != request:
                    raise ValueError("idempotency key reused with different parameters")
                return outcome
            self.card_details(request.payment_method)
            reference = f"pi_sim_{uuid5(NAMESPACE_URL, request.idempotency_key).hex[:24]}"
            if request.payer_present and request.payment_method in CHALLENGED:
                outcome = ChargeOutcome(reference, authentication=f"{reference}_secret_sim")
            else:
                outcome = ChargeOutcome(reference, DECLINES.get(request.payment_method))
            self._charges[request.idempotency_key] = (request, outcome)
            self._keys[reference] = request.idempotency_key
            if hold and outcome.captured:
                self._holds[reference] = Hold(request.amount)
            return outcome

    def charge_outcome(self, reference: str) -> ChargeOutcome:
        with self._lock:
            return self._charges[self._keys[reference]][1]

    def cancel(self, reference: str) -> None:
        with self._lock:
            key = self._keys[reference]
            request, outcome = self._charges[key]
            if not outcome.captured:
                self._charges[key] = (
                    request,
                    ChargeOutcome(reference, DeclineReason.CARD_DECLINED),
                )

    def authenticate(self, reference: str, *, passed: bool) -> None:
        """The payer answers the issuer's challenge (in a browser, with Stripe.js, for real)."""
        with self._lock:
            key = self._keys[reference]
            request, outcome = self._charges[key]
            if outcome.awaiting_authentication:
                reason = None if passed else DeclineReason.PAYER_AUTHENTICATION_FAILED
                self._charges[key] = (request, ChargeOutcome(reference, reason))

    def capture(self, reference: str, amount: Cents, idempotency_key: str) -> None:
        with self._lock:
            hold = self._holds[reference]
            if hold.capture_key == idempotency_key:
                if hold.captured != amount:
                    raise ValueError("idempotency key reused with different parameters")
                return
            if hold.over:
                raise ValueError(f"hold {reference} is over: captured or released already")
            if not 0 < amount <= hold.amount:
                raise ValueError(f"cannot capture {amount} of a hold of {hold.amount}")
            hold.captured, hold.capture_key, hold.over = amount, idempotency_key, True

    def release(self, reference: str) -> None:
        with self._lock:
            self._holds[reference].over = True

    @property
    def captured_total(self) -> int:
        """What the cards were charged in all, holds' captures included (for tests and the
        demo)."""
        with self._lock:
            charged = sum(
                request.amount
                for request, outcome in self._charges.values()
                if outcome.captured and outcome.reference not in self._holds
            )
            return charged + sum(hold.captured for hold in self._holds.values())

    @property
    def held_total(self) -> int:
        """What is held on cards now, authorised and neither captured nor released."""
        with self._lock:
            return sum(hold.amount for hold in self._holds.values() if not hold.over)

"""A card processor whose outcomes follow Stripe's documented test payment methods.

Used in the embedded mode and in tests: stripe-mock accepts every request, so declines, payer
authentication and the processor's failures are exercised here. It keeps payments as Stripe keeps
PaymentIntents: started, then confirmed once (a confirmed one answers how it stands), holds
captured or released once. Like Stripe it forgets idempotency keys after 24 hours (on its clock),
can leave a charge `processing`, and can charge and lose the answer. With a state file it keeps
its payments there, so that a restarted process (one at a time) finds them, as it would Stripe's.
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Callable
from dataclasses import asdict
from dataclasses import dataclass
from dataclasses import field
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from pathlib import Path
from typing import Any
from uuid import uuid4

from kinlink_contracts.ledger import DeclineReason

from kinlink_ledger.domain.money import Cents
from kinlink_ledger.domain.payments import CardDetails
from kinlink_ledger.domain.payments import ChargeOutcome
from kinlink_ledger.domain.payments import ChargeRequest
from kinlink_ledger.domain.payments import PaymentProcessor
from kinlink_ledger.domain.payments import PaymentUnavailable
from kinlink_ledger.domain.payments import UnknownPaymentMethod

# Stripe forgets an idempotency key 24 hours after its first request.
IDEMPOTENCY_KEY_LIFETIME = timedelta(hours=24)

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

# What a challenged payment hands the client to present the challenge with (Stripe: the
# PaymentIntent's client secret, `<id>_secret_<random>`).
CLIENT_SECRET_SUFFIX = "_secret_sim"


@dataclass
class Payment:
    """A PaymentIntent: its request, its outcome once confirmed, and for a hold what was
    captured of it once it is over (captured or released, the rest of it is no longer held)."""

    reference: str
    request: ChargeRequest
    hold: bool
    outcome: ChargeOutcome | None = None
    captured: int = 0
    capture_key: str | None = None
    over: bool = False

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Payment:
        outcome = data.pop("outcome")
        if outcome is not None:
            reason = outcome["decline_reason"]
            outcome = ChargeOutcome(
                **{**outcome, "decline_reason": reason and DeclineReason(reason)}
            )
        return cls(request=ChargeRequest(**data.pop("request")), outcome=outcome, **data)


def _utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class SimulatedProcessor(PaymentProcessor):
    clock: Callable[[], datetime] = _utc_now
    state_file: Path | None = None
    # The processor charges and records, then takes this long to answer (a slow network).
    answer_delay_seconds: float = 0.0
    _payments: dict[str, Payment] = field(default_factory=dict, init=False, repr=False)
    # idempotency key -> the payment's reference, and when the key was first used
    _keys: dict[str, tuple[str, datetime]] = field(default_factory=dict, init=False, repr=False)
    _slow_methods: set[str] = field(default_factory=set, init=False, repr=False)
    _answers_to_lose: int = field(default=0, init=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    def __post_init__(self) -> None:
        if self.state_file is not None and self.state_file.exists():
            state = json.loads(self.state_file.read_text())
            self._payments = {
                reference: Payment.from_json(payment)
                for reference, payment in state["payments"].items()
            }
            self._keys = {
                key: (reference, datetime.fromisoformat(at))
                for key, (reference, at) in state["keys"].items()
            }

    def card_details(self, payment_method: str) -> CardDetails:
        if payment_method in DECLINES or payment_method in CHALLENGED:
            return CardDetails("visa", "credit")
        try:
            return CARDS[payment_method]
        except KeyError:
            raise UnknownPaymentMethod(payment_method) from None

    # What tests make the processor do

    def settle_later(self, payment_method: str) -> None:
        """Charges of this payment method stay `processing` until `settle`."""
        self._slow_methods.add(payment_method)

    def settle(self, reference: str, reason: DeclineReason | None = None) -> None:
        """A `processing` charge gets its outcome: captured, or failed for `reason`."""
        with self._lock:
            self._payments[reference].outcome = ChargeOutcome(reference, reason)
            self._save()

    def lose_next_answers(self, count: int = 1) -> None:
        """The next `count` confirmations charge the card, and their answer never arrives."""
        with self._lock:
            self._answers_to_lose = count

    # The port

    def start(self, request: ChargeRequest) -> str:
        return self._start(request, hold=False)

    def _start(self, request: ChargeRequest, *, hold: bool) -> str:
        with self._lock:
            now = self.clock()
            remembered = self._keys.get(request.idempotency_key)
            if remembered is not None and now - remembered[1] < IDEMPOTENCY_KEY_LIFETIME:
                payment = self._payments[remembered[0]]
                if (payment.request, payment.hold) != (request, hold):
                    raise ValueError("idempotency key reused with different parameters")
                return payment.reference
            self.card_details(request.payment_method)
            reference = f"pi_sim_{uuid4().hex[:24]}"
            self._payments[reference] = Payment(reference, request, hold)
            self._keys[request.idempotency_key] = (reference, now)
            self._save()
            return reference

    def confirm(self, reference: str, *, payer_present: bool) -> ChargeOutcome:
        with self._lock:
            payment = self._payments[reference]
            if payment.outcome is not None:
                return payment.outcome
            method = payment.request.payment_method
            if method in self._slow_methods:
                payment.outcome = ChargeOutcome(reference, processing=True)
            elif payer_present and method in CHALLENGED:
                secret = f"{reference}{CLIENT_SECRET_SUFFIX}"
                payment.outcome = ChargeOutcome(reference, authentication=secret)
            elif method in CHALLENGED:
                # No payer to answer the challenge: Stripe declines (`authentication_required`).
                reason = DECLINES.get(method, DeclineReason.PAYER_AUTHENTICATION_UNAVAILABLE)
                payment.outcome = ChargeOutcome(reference, reason)
            else:
                payment.outcome = ChargeOutcome(reference, DECLINES.get(method))
            self._save()
            lost = self._answers_to_lose > 0
            self._answers_to_lose -= lost
        if lost:
            raise PaymentUnavailable(f"the answer for {reference} was lost")
        if self.answer_delay_seconds:
            time.sleep(self.answer_delay_seconds)
        return payment.outcome

    def authorize(self, request: ChargeRequest) -> ChargeOutcome:
        return self.confirm(self._start(request, hold=True), payer_present=False)

    def charge_outcome(self, reference: str) -> ChargeOutcome:
        with self._lock:
            outcome = self._payments[reference].outcome
        if outcome is None:
            raise ValueError(f"payment {reference} was never confirmed")
        return outcome

    def cancel(self, reference: str) -> None:
        with self._lock:
            payment = self._payments[reference]
            if payment.outcome is None or not payment.outcome.captured:
                payment.outcome = ChargeOutcome(reference, DeclineReason.CARD_DECLINED)
                self._save()

    def authenticate(self, reference: str, *, passed: bool) -> None:
        """The payer answers the issuer's challenge (in a browser, with Stripe.js, for real)."""
        with self._lock:
            payment = self._payments[reference]
            if payment.outcome is not None and payment.outcome.awaiting_authentication:
                reason = None if passed else DeclineReason.PAYER_AUTHENTICATION_FAILED
                payment.outcome = ChargeOutcome(reference, reason)
                self._save()

    def answer_challenge(self, client_secret: str, *, passed: bool) -> None:
        """The payer answers the challenge presented with `client_secret`, on the page that
        stands in for their bank's (the embedded mode's portal)."""
        self.authenticate(client_secret.removesuffix(CLIENT_SECRET_SUFFIX), passed=passed)

    def capture(self, reference: str, amount: Cents, idempotency_key: str) -> None:
        with self._lock:
            hold = self._held(reference)
            if hold.capture_key == idempotency_key:
                if hold.captured != amount:
                    raise ValueError("idempotency key reused with different parameters")
                return
            if hold.over:
                raise ValueError(f"hold {reference} is over: captured or released already")
            if not 0 < amount <= hold.request.amount:
                raise ValueError(f"cannot capture {amount} of a hold of {hold.request.amount}")
            hold.captured, hold.capture_key, hold.over = amount, idempotency_key, True
            self._save()

    def release(self, reference: str) -> None:
        with self._lock:
            self._held(reference).over = True
            self._save()

    def _held(self, reference: str) -> Payment:
        payment = self._payments[reference]
        if not (payment.hold and payment.outcome is not None and payment.outcome.captured):
            raise KeyError(reference)
        return payment

    def _save(self) -> None:
        """Write the state file whole, then move it in place: a kill leaves the old or the new."""
        if self.state_file is None:
            return
        state = {
            "payments": {ref: payment.to_json() for ref, payment in self._payments.items()},
            "keys": {key: (ref, at.isoformat()) for key, (ref, at) in self._keys.items()},
        }
        written = self.state_file.with_suffix(".tmp")
        written.write_text(json.dumps(state))
        os.replace(written, self.state_file)

    # What tests and the demo read

    @property
    def captured_total(self) -> int:
        """What the cards were charged in all, holds' captures included."""
        with self._lock:
            return sum(self._charged(payment) for payment in self._payments.values())

    def charges(self, **metadata: str) -> list[int]:
        """What each payment whose metadata has these values charged, if anything."""
        with self._lock:
            return [
                self._charged(payment)
                for payment in self._payments.values()
                if metadata.items() <= payment.request.metadata.items() and self._charged(payment)
            ]

    @staticmethod
    def _charged(payment: Payment) -> int:
        if payment.hold:
            return payment.captured
        captured = payment.outcome is not None and payment.outcome.captured
        return payment.request.amount if captured else 0

    @property
    def held_total(self) -> int:
        """What is held on cards now, authorised and neither captured nor released."""
        with self._lock:
            return sum(
                payment.request.amount
                for payment in self._payments.values()
                if payment.hold
                and payment.outcome is not None
                and payment.outcome.captured
                and not payment.over
            )

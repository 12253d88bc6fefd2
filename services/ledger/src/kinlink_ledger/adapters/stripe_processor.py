"""Stripe through its official SDK: a charge is a PaymentIntent created (with an idempotency key)
and then confirmed by its id, which the ledger records in between (decision 0016).

A card hold is a PaymentIntent with manual capture: confirmed, it waits in `requires_capture`;
captured for less than its amount, Stripe releases the rest; cancelled, it releases it all.
"""

from __future__ import annotations

import stripe
from kinlink_contracts.ledger import DeclineReason
from stripe.params import PaymentIntentCreateParams

from kinlink_ledger.domain.money import Cents
from kinlink_ledger.domain.payments import CardDetails
from kinlink_ledger.domain.payments import ChargeOutcome
from kinlink_ledger.domain.payments import ChargeRequest
from kinlink_ledger.domain.payments import PaymentProcessor
from kinlink_ledger.domain.payments import PaymentRefused
from kinlink_ledger.domain.payments import PaymentUnavailable
from kinlink_ledger.domain.payments import UnknownPaymentMethod

# Stripe's error `code`, or the card's `decline_code`, to the reason a family member sees.
_REASONS = {
    "insufficient_funds": DeclineReason.INSUFFICIENT_FUNDS,
    "expired_card": DeclineReason.EXPIRED_CARD,
    "payment_intent_authentication_failure": DeclineReason.PAYER_AUTHENTICATION_FAILED,
    "authentication_required": DeclineReason.PAYER_AUTHENTICATION_UNAVAILABLE,
}


# The processor could not be reached or gave no definite answer.
_UNAVAILABLE = (stripe.APIConnectionError, stripe.RateLimitError, stripe.APIError)


def decline_reason(error: stripe.CardError) -> DeclineReason:
    for code in (error.code, getattr(error.error, "decline_code", None) if error.error else None):
        if code in _REASONS:
            return _REASONS[code]
    return DeclineReason.CARD_DECLINED


class StripeProcessor(PaymentProcessor):
    def __init__(self, api_key: str, api_base: str | None = None) -> None:
        self.client = stripe.StripeClient(
            api_key,
            base_addresses={"api": api_base} if api_base else None,
            max_network_retries=2,
        )

    def card_details(self, payment_method: str) -> CardDetails:
        try:
            method = self.client.v1.payment_methods.retrieve(payment_method)
        except stripe.InvalidRequestError as error:
            raise UnknownPaymentMethod(payment_method) from error
        except stripe.StripeError as error:
            raise PaymentUnavailable(str(error)) from error
        card = method.card
        if card is None:
            return CardDetails("unknown", "unknown")
        return CardDetails(card.brand, card.funding)

    def start(self, request: ChargeRequest) -> str:
        try:
            intent = self.client.v1.payment_intents.create(
                _intent_params(request), options={"idempotency_key": request.idempotency_key}
            )
        except _UNAVAILABLE as error:
            raise PaymentUnavailable(str(error)) from error
        except stripe.StripeError as error:  # InvalidRequestError, IdempotencyError, ...
            raise PaymentRefused(str(error)) from error
        return intent.id

    def confirm(self, reference: str, *, payer_present: bool) -> ChargeOutcome:
        try:
            intent = self.client.v1.payment_intents.confirm(reference)
        except stripe.CardError as error:
            return ChargeOutcome(reference, decline_reason(error))
        except stripe.InvalidRequestError as error:
            if error.code != "payment_intent_unexpected_state":
                raise PaymentRefused(str(error)) from error
            # Confirmed already (its answer was lost): how it stands is the answer.
            return self._outcome(self._retrieve(reference), payer_present=payer_present)
        except _UNAVAILABLE as error:
            raise PaymentUnavailable(str(error)) from error
        except stripe.StripeError as error:
            raise PaymentRefused(str(error)) from error
        return self._outcome(intent, payer_present=payer_present)

    def authorize(self, request: ChargeRequest) -> ChargeOutcome:
        params = _intent_params(request)
        params["confirm"] = True
        params["capture_method"] = "manual"
        try:
            intent = self.client.v1.payment_intents.create(
                params, options={"idempotency_key": request.idempotency_key}
            )
        except stripe.CardError as error:
            return ChargeOutcome(None, decline_reason(error))
        except _UNAVAILABLE as error:
            raise PaymentUnavailable(str(error)) from error
        except stripe.StripeError as error:  # InvalidRequestError, IdempotencyError, ...
            raise PaymentRefused(str(error)) from error
        return self._outcome(intent, payer_present=False)

    def charge_outcome(self, reference: str) -> ChargeOutcome:
        return self._outcome(self._retrieve(reference), payer_present=True)

    def _retrieve(self, reference: str) -> stripe.PaymentIntent:
        try:
            return self.client.v1.payment_intents.retrieve(reference)
        except stripe.StripeError as error:
            raise PaymentUnavailable(str(error)) from error

    def cancel(self, reference: str) -> None:
        try:
            self.client.v1.payment_intents.cancel(reference)
        except stripe.InvalidRequestError:
            return  # already captured or cancelled: nothing is held
        except stripe.StripeError as error:
            raise PaymentUnavailable(str(error)) from error

    def capture(self, reference: str, amount: Cents, idempotency_key: str) -> None:
        try:
            self.client.v1.payment_intents.capture(
                reference,
                params={"amount_to_capture": amount},
                options={"idempotency_key": idempotency_key},
            )
        except stripe.InvalidRequestError as error:
            # Captured already, by a capture whose answer was lost and whose key Stripe forgot.
            intent = self._retrieve(reference)
            if intent.status != "succeeded" or intent.amount_received != amount:
                raise PaymentRefused(str(error)) from error
        except _UNAVAILABLE as error:
            raise PaymentUnavailable(str(error)) from error

    def release(self, reference: str) -> None:
        self.cancel(reference)

    @staticmethod
    def _outcome(intent: stripe.PaymentIntent, *, payer_present: bool) -> ChargeOutcome:
        # A charge is done once it succeeded; a hold once it waits to be captured.
        if intent.status in ("succeeded", "requires_capture"):
            return ChargeOutcome(intent.id)
        if intent.status == "requires_action":
            if payer_present:
                return ChargeOutcome(intent.id, authentication=intent.client_secret)
            # This flow cannot present the issuer's challenge page to the payer.
            return ChargeOutcome(intent.id, DeclineReason.PAYER_AUTHENTICATION_UNAVAILABLE)
        if intent.status == "processing":
            return ChargeOutcome(intent.id, processing=True)
        # An error without a code (stripe-mock's fixture has one) is a plain decline.
        code = getattr(intent.last_payment_error, "code", None)
        return ChargeOutcome(intent.id, _REASONS.get(code or "", DeclineReason.CARD_DECLINED))


def _intent_params(request: ChargeRequest) -> PaymentIntentCreateParams:
    return {
        "amount": request.amount,
        "currency": "usd",
        "payment_method": request.payment_method,
        "automatic_payment_methods": {"enabled": True, "allow_redirects": "never"},
        "description": request.description,
        "metadata": request.metadata,
    }

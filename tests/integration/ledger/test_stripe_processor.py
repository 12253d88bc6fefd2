"""The Stripe adapter through the official SDK, against stripe-mock (which checks request shapes).

stripe-mock answers every request with fixture data, so declines and 3-D Secure are covered by
the simulated processor and the decline-mapping unit tests.
"""

from __future__ import annotations

from typing import Any

import pytest
import stripe as stripe_sdk
from kinlink_kit.testing import Infra
from kinlink_ledger.adapters.stripe_processor import StripeProcessor
from kinlink_ledger.domain.money import Cents
from kinlink_ledger.domain.payments import ChargeOutcome
from kinlink_ledger.domain.payments import ChargeRequest
from kinlink_ledger.domain.payments import PaymentRefused
from kinlink_ledger.domain.payments import UnknownPaymentMethod


@pytest.fixture
def stripe(infra: Infra) -> StripeProcessor:
    return StripeProcessor("sk_test_123", infra.stripe_api_base)


def test_card_details_come_from_the_payment_method(stripe: StripeProcessor) -> None:
    card = stripe.card_details("pm_card_visa")
    assert card.brand == "visa"
    assert card.funding in {"credit", "debit", "prepaid", "unknown"}


def test_a_charge_is_a_payment_intent_created_then_confirmed_by_its_id(
    stripe: StripeProcessor, monkeypatch: pytest.MonkeyPatch
) -> None:
    intents = stripe.client.v1.payment_intents
    created = recorded(monkeypatch, intents, "create")
    confirmed = recorded(monkeypatch, intents, "confirm")
    reference = stripe.start(
        ChargeRequest("deposit-1", Cents(5595), "pm_card_visa", "Deposit", {"deposit_id": "d-1"})
    )
    assert reference.startswith("pi_")
    outcome = stripe.confirm(reference, payer_present=False)
    # Created unconfirmed, with the deposit id as idempotency key: nothing is charged yet.
    [create] = created
    assert "confirm" not in create["args"][0]
    assert create["options"] == {"idempotency_key": "deposit-1"}
    assert confirmed == [{"args": (reference,)}]
    # stripe-mock's fixture intent is never `succeeded`: the adapter must not call it captured.
    assert not outcome.captured


def recorded(monkeypatch: pytest.MonkeyPatch, service: object, name: str) -> list[dict[str, Any]]:
    """The arguments of every call to `service.name`, which still goes to stripe-mock."""
    calls: list[dict[str, Any]] = []
    call = getattr(service, name)

    def recording(*args: Any, **kwargs: Any) -> Any:
        calls.append({"args": args, **kwargs})
        return call(*args, **kwargs)

    monkeypatch.setattr(service, name, recording)
    return calls


def test_a_hold_is_a_payment_intent_confirmed_for_manual_capture(
    stripe: StripeProcessor, monkeypatch: pytest.MonkeyPatch
) -> None:
    created = recorded(monkeypatch, stripe.client.v1.payment_intents, "create")
    outcome = stripe.authorize(
        ChargeRequest("allowance-1", Cents(5000), "pm_card_visa", "Allowance", {"a": "1"})
    )
    assert outcome.reference is not None and outcome.reference.startswith("pi_")
    # stripe-mock's fixture intent never waits in `requires_capture`: not held.
    assert outcome.decline_reason is not None
    [call] = created
    params = call["args"][0]
    assert (params["capture_method"], params["confirm"], params["amount"]) == ("manual", True, 5000)
    assert call["options"] == {"idempotency_key": "allowance-1"}


def test_a_hold_is_captured_once_in_part_or_released(
    stripe: StripeProcessor, monkeypatch: pytest.MonkeyPatch
) -> None:
    intents = stripe.client.v1.payment_intents
    captured = recorded(monkeypatch, intents, "capture")
    cancelled = recorded(monkeypatch, intents, "cancel")
    stripe.capture("pi_123", Cents(1500), "allowance-1/capture")
    stripe.release("pi_456")
    # No `final_capture`: it defaults to true, and the rest of the hold is released with it.
    assert captured == [
        {
            "args": ("pi_123",),
            "params": {"amount_to_capture": 1500},
            "options": {"idempotency_key": "allowance-1/capture"},
        }
    ]
    assert cancelled == [{"args": ("pi_456",)}]


def test_a_malformed_payment_method_is_unknown(stripe: StripeProcessor) -> None:
    with pytest.raises(UnknownPaymentMethod):
        stripe.card_details("")


def unexpected_state(*_: Any, **__: Any) -> None:
    raise stripe_sdk.InvalidRequestError(
        "This PaymentIntent's status is succeeded", None, "payment_intent_unexpected_state"
    )


def intent(status: str, amount_received: int = 0) -> stripe_sdk.PaymentIntent:
    """A PaymentIntent as Stripe answers a retrieve (stripe-mock's fixture is never captured)."""
    return stripe_sdk.PaymentIntent.construct_from(
        {
            "id": "pi_123",
            "object": "payment_intent",
            "status": status,
            "amount_received": amount_received,
        },
        "sk_test_123",
    )


def test_confirming_a_payment_confirmed_already_answers_how_it_stands(
    stripe: StripeProcessor, monkeypatch: pytest.MonkeyPatch
) -> None:
    intents = stripe.client.v1.payment_intents
    monkeypatch.setattr(intents, "confirm", unexpected_state)
    monkeypatch.setattr(intents, "retrieve", lambda *_: intent("succeeded", 5595))
    assert stripe.confirm("pi_123", payer_present=False) == ChargeOutcome("pi_123")
    monkeypatch.setattr(intents, "retrieve", lambda *_: intent("processing"))
    assert stripe.confirm("pi_123", payer_present=False).processing


def test_a_capture_whose_key_was_forgotten_is_captured_already_or_refused(
    stripe: StripeProcessor, monkeypatch: pytest.MonkeyPatch
) -> None:
    intents = stripe.client.v1.payment_intents
    monkeypatch.setattr(intents, "capture", unexpected_state)
    monkeypatch.setattr(intents, "retrieve", lambda *_: intent("succeeded", 1500))
    stripe.capture("pi_123", Cents(1500), "allowance-1/capture")
    monkeypatch.setattr(intents, "retrieve", lambda *_: intent("canceled"))
    with pytest.raises(PaymentRefused):
        stripe.capture("pi_123", Cents(1500), "allowance-1/capture")


def test_a_refused_request_is_refused_not_unavailable(
    stripe: StripeProcessor, monkeypatch: pytest.MonkeyPatch
) -> None:
    def reused_key(*_: Any, **__: Any) -> None:
        raise stripe_sdk.IdempotencyError("Keys for idempotent requests can only be used once")

    monkeypatch.setattr(stripe.client.v1.payment_intents, "create", reused_key)
    with pytest.raises(PaymentRefused):
        stripe.start(ChargeRequest("deposit-1", Cents(5595), "pm_card_visa", "Deposit"))


def test_a_hold_the_processor_refuses_to_ask_for_is_refused_not_unavailable(
    stripe: StripeProcessor, monkeypatch: pytest.MonkeyPatch
) -> None:
    def bad_request(*_: Any, **__: Any) -> None:
        raise stripe_sdk.InvalidRequestError("Amount must be at least 50 cents", "amount")

    monkeypatch.setattr(stripe.client.v1.payment_intents, "create", bad_request)
    with pytest.raises(PaymentRefused):
        stripe.authorize(ChargeRequest("allowance-1", Cents(10), "pm_card_visa", "Allowance"))

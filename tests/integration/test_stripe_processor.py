"""The Stripe adapter through the official SDK, against stripe-mock (which checks request shapes).

stripe-mock answers every request with fixture data, so declines and 3-D Secure are covered by
the simulated processor and the decline-mapping unit tests.
"""

from __future__ import annotations

from typing import Any

import pytest
from kinlink_kit.testing import Infra
from kinlink_ledger.adapters.stripe_processor import StripeProcessor
from kinlink_ledger.domain.money import Cents
from kinlink_ledger.domain.payments import ChargeRequest, UnknownPaymentMethod


@pytest.fixture
def stripe(infra: Infra) -> StripeProcessor:
    return StripeProcessor("sk_test_123", infra.stripe_api_base)


def test_card_details_come_from_the_payment_method(stripe: StripeProcessor) -> None:
    card = stripe.card_details("pm_card_visa")
    assert card.brand == "visa"
    assert card.funding in {"credit", "debit", "prepaid", "unknown"}


def test_a_charge_is_a_confirmed_payment_intent(stripe: StripeProcessor) -> None:
    outcome = stripe.charge(
        ChargeRequest("deposit-1", Cents(5595), "pm_card_visa", "Deposit", {"deposit_id": "d-1"})
    )
    assert outcome.reference is not None and outcome.reference.startswith("pi_")
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

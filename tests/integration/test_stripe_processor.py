"""The Stripe adapter through the official SDK, against stripe-mock (which checks request shapes).

stripe-mock answers every request with fixture data, so declines and 3-D Secure are covered by
the simulated processor and the decline-mapping unit tests.
"""

from __future__ import annotations

import pytest
from kinlink_ledger.adapters.stripe_processor import StripeProcessor
from kinlink_ledger.domain.money import Cents
from kinlink_ledger.domain.payments import ChargeRequest, UnknownPaymentMethod

from tests.conftest import Infra


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


def test_a_malformed_payment_method_is_unknown(stripe: StripeProcessor) -> None:
    with pytest.raises(UnknownPaymentMethod):
        stripe.card_details("")

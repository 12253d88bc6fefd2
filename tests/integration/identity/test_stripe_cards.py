"""Cards read from Stripe through the official SDK, against stripe-mock (which checks request
shapes and answers every PaymentMethod with its Visa fixture: brands and prepaid refusals are
covered with the simulated cards)."""

from __future__ import annotations

import socket

import pytest
from kinlink_identity.adapters.stripe_cards import StripeCards
from kinlink_identity.domain.card_processor import CardProcessorUnavailable
from kinlink_identity.domain.card_processor import UnknownPaymentMethod
from kinlink_kit.testing import Infra


@pytest.fixture
def stripe_cards(infra: Infra) -> StripeCards:
    return StripeCards("sk_test_123", infra.stripe_api_base)


def test_the_card_comes_from_the_payment_method(stripe_cards: StripeCards) -> None:
    card = stripe_cards.details("pm_card_visa")
    assert (card.brand, card.funding, card.last4) == ("visa", "credit", "4242")
    assert 1 <= card.exp_month <= 12 and card.exp_year > 2000


def test_a_malformed_payment_method_is_unknown(stripe_cards: StripeCards) -> None:
    with pytest.raises(UnknownPaymentMethod):
        stripe_cards.details("")


def test_an_unreachable_stripe_is_unavailable() -> None:
    with socket.socket() as free:
        free.bind(("127.0.0.1", 0))
        port = free.getsockname()[1]
    # Nothing listens on the port now: every attempt is refused.
    with pytest.raises(CardProcessorUnavailable):
        StripeCards("sk_test_123", f"http://127.0.0.1:{port}").details("pm_card_visa")

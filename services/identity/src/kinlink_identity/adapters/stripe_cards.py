"""Cards at Stripe, through its official SDK: the PaymentMethod a token names, read back."""

from __future__ import annotations

import stripe

from kinlink_identity.domain.card_processor import CardDetails
from kinlink_identity.domain.card_processor import CardLookup
from kinlink_identity.domain.card_processor import CardProcessorUnavailable
from kinlink_identity.domain.card_processor import UnknownPaymentMethod


class StripeCards(CardLookup):
    def __init__(self, api_key: str, api_base: str | None = None) -> None:
        self.client = stripe.StripeClient(
            api_key,
            base_addresses={"api": api_base} if api_base else None,
            max_network_retries=2,
        )

    def details(self, payment_method: str) -> CardDetails:
        try:
            method = self.client.v1.payment_methods.retrieve(payment_method)
        except stripe.InvalidRequestError as error:
            raise UnknownPaymentMethod(payment_method) from error
        except stripe.StripeError as error:
            raise CardProcessorUnavailable(str(error)) from error
        card = method.card
        if card is None:
            # A bank account or wallet, not a card: identity keeps cards only.
            raise UnknownPaymentMethod(payment_method)
        return CardDetails(card.brand, card.funding, card.last4, card.exp_month, card.exp_year)

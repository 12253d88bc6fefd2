"""How a family member enters a card: never as a number typed into our pages (decision 0025).

With the simulated processor (the embedded mode, the tests) they choose one of the processor's
documented test cards; with real Stripe, Stripe's hosted fields (Elements) turn the card into a
PaymentMethod in the browser and only its `pm_...` id is posted to the portal."""

from __future__ import annotations

from dataclasses import dataclass

from kinlink_portal.i18n import gettext
from kinlink_portal.security import CONTENT_SECURITY_POLICY
from kinlink_portal.security import STRIPE_CONTENT_SECURITY_POLICY
from kinlink_portal.sentences import N_

TEST_CARDS_ENTRY = "test_cards"
STRIPE_ELEMENTS_ENTRY = "stripe_elements"
STRIPE_JS = "https://js.stripe.com/v3/"

BRANDS = {
    "visa": "Visa",
    "mastercard": "Mastercard",
    "discover": "Discover",
    "amex": "American Express",
    "diners": "Diners Club",
    "jcb": "JCB",
    "unionpay": "UnionPay",
}


@dataclass(frozen=True)
class ProcessorTestCard:
    """One of Stripe's documented test PaymentMethods, as the simulated processor treats it."""

    payment_method: str
    brand: str
    last4: str
    note: str = ""  # what happens with it, when it is not a plain good card

    def label(self) -> str:
        card = {"brand": brand_name(self.brand), "last4": self.last4}
        if not self.note:
            return gettext("%(brand)s ending %(last4)s (test card)") % card
        noted = gettext("%(brand)s ending %(last4)s (test card: %(note)s)")
        return noted % {**card, "note": gettext(self.note)}


TEST_CARDS = (
    ProcessorTestCard("pm_card_visa", "visa", "4242"),
    ProcessorTestCard("pm_card_visa_debit", "visa", "5556", N_("debit")),
    ProcessorTestCard("pm_card_mastercard", "mastercard", "4444"),
    ProcessorTestCard("pm_card_mastercard_prepaid", "mastercard", "5100", N_("prepaid")),
    ProcessorTestCard("pm_card_discover", "discover", "1117"),
    ProcessorTestCard("pm_card_amex", "amex", "0005"),
    ProcessorTestCard("pm_card_chargeDeclined", "visa", "0002", N_("declined when charged")),
    ProcessorTestCard(
        "pm_card_chargeDeclinedInsufficientFunds",
        "visa",
        "9995",
        N_("declined for insufficient funds"),
    ),
)


def brand_name(brand: str) -> str:
    return BRANDS.get(brand, brand.title())


def content_security_policy(card_entry: str, *, stripe_key: str = "") -> str:
    """Stripe's hosts are allowed only when the portal uses Stripe.js: for its card fields, or,
    given a publishable key, for the bank's check of a payment."""
    if card_entry == STRIPE_ELEMENTS_ENTRY or stripe_key:
        return STRIPE_CONTENT_SECURITY_POLICY
    return CONTENT_SECURITY_POLICY

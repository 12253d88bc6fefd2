"""Cards in memory, following Stripe's documented test PaymentMethod ids (pm_card_visa, ...).

Used in the embedded mode and in tests. The decline and 3-D Secure test methods are Visa credit
cards here as at Stripe: they only fail when charged, which is the ledger's business. Stripe's
test cards take any future expiry; these expire in December three years from now.
"""

from __future__ import annotations

from datetime import date

from kinlink_identity.domain.card_processor import CardDetails
from kinlink_identity.domain.card_processor import CardLookup
from kinlink_identity.domain.card_processor import UnknownPaymentMethod

# payment method -> (brand, funding, last four digits of Stripe's test card number)
CARDS = {
    "pm_card_visa": ("visa", "credit", "4242"),
    "pm_card_visa_debit": ("visa", "debit", "5556"),
    "pm_card_mastercard": ("mastercard", "credit", "4444"),
    "pm_card_mastercard_debit": ("mastercard", "debit", "8210"),
    "pm_card_mastercard_prepaid": ("mastercard", "prepaid", "5100"),
    "pm_card_discover": ("discover", "credit", "1117"),
    "pm_card_amex": ("amex", "credit", "0005"),
    "pm_card_diners": ("diners", "credit", "0004"),
    "pm_card_jcb": ("jcb", "credit", "0505"),
    "pm_card_unionpay": ("unionpay", "credit", "0005"),
    "pm_card_chargeDeclined": ("visa", "credit", "0002"),
    "pm_card_chargeDeclinedInsufficientFunds": ("visa", "credit", "9995"),
    "pm_card_chargeDeclinedLostCard": ("visa", "credit", "9987"),
    "pm_card_chargeDeclinedStolenCard": ("visa", "credit", "9979"),
    "pm_card_chargeDeclinedExpiredCard": ("visa", "credit", "0069"),
    "pm_card_chargeDeclinedIncorrectCvc": ("visa", "credit", "0127"),
    "pm_card_chargeDeclinedProcessingError": ("visa", "credit", "0119"),
    "pm_card_chargeDeclinedFraudulent": ("visa", "credit", "0019"),
    "pm_card_authenticationRequired": ("visa", "credit", "3184"),
    "pm_card_threeDSecure2Required": ("visa", "credit", "3220"),
    "pm_card_threeDSecureRequired": ("visa", "credit", "3063"),
}


class SimulatedCards(CardLookup):
    def details(self, payment_method: str) -> CardDetails:
        try:
            brand, funding, last4 = CARDS[payment_method]
        except KeyError:
            raise UnknownPaymentMethod(payment_method) from None
        return CardDetails(brand, funding, last4, exp_month=12, exp_year=date.today().year + 3)

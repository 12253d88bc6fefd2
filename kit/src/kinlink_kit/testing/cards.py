"""The processor's test cards: Stripe's documented test PaymentMethod ids, which the simulated
processors (identity's cards, the ledger's charges) know; the card a test picks decides the
outcome (see each simulated processor for which)."""

TEST_CARDS = (
    "pm_card_visa",
    "pm_card_visa_debit",
    "pm_card_mastercard",
    "pm_card_mastercard_debit",
    "pm_card_mastercard_prepaid",
    "pm_card_discover",
    "pm_card_amex",
    "pm_card_diners",
    "pm_card_jcb",
    "pm_card_unionpay",
    "pm_card_chargeDeclined",
    "pm_card_chargeDeclinedFraudulent",
    "pm_card_chargeDeclinedIncorrectCvc",
    "pm_card_chargeDeclinedLostCard",
    "pm_card_chargeDeclinedStolenCard",
    "pm_card_chargeDeclinedProcessingError",
    "pm_card_chargeDeclinedInsufficientFunds",
    "pm_card_chargeDeclinedExpiredCard",
    "pm_card_authenticationRequired",
    "pm_card_threeDSecure2Required",
    "pm_card_threeDSecureRequired",
)

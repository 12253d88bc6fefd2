import pytest
from kinlink_contracts.ledger import DeclineReason
from kinlink_ledger.adapters.simulated_processor import SimulatedProcessor
from kinlink_ledger.domain.money import Cents
from kinlink_ledger.domain.payments import ChargeRequest, UnknownPaymentMethod


def charge(processor: SimulatedProcessor, method: str, key: str = "k", amount: int = 1000):
    return processor.charge(ChargeRequest(key, Cents(amount), method, "test"))


@pytest.mark.parametrize(
    ("method", "reason"),
    [
        ("pm_card_visa", None),
        ("pm_card_mastercard", None),
        ("pm_card_chargeDeclined", DeclineReason.CARD_DECLINED),
        ("pm_card_chargeDeclinedInsufficientFunds", DeclineReason.INSUFFICIENT_FUNDS),
        ("pm_card_chargeDeclinedExpiredCard", DeclineReason.EXPIRED_CARD),
        ("pm_card_authenticationRequired", DeclineReason.PAYER_AUTHENTICATION_FAILED),
        ("pm_card_threeDSecure2Required", DeclineReason.PAYER_AUTHENTICATION_UNAVAILABLE),
    ],
)
def test_outcomes_follow_stripe_test_payment_methods(
    method: str, reason: DeclineReason | None
) -> None:
    outcome = charge(SimulatedProcessor(), method)
    assert outcome.decline_reason == reason
    assert outcome.captured is (reason is None)


def test_card_details_tell_prepaid_cards_and_brands_apart() -> None:
    processor = SimulatedProcessor()
    assert processor.card_details("pm_card_mastercard_prepaid").funding == "prepaid"
    assert processor.card_details("pm_card_amex").brand == "amex"
    with pytest.raises(UnknownPaymentMethod):
        processor.card_details("pm_card_nonexistent")


def test_the_same_idempotency_key_never_charges_twice() -> None:
    processor = SimulatedProcessor()
    first = charge(processor, "pm_card_visa", key="deposit-1", amount=5595)
    again = charge(processor, "pm_card_visa", key="deposit-1", amount=5595)
    assert again == first
    assert processor.captured_total == 5595
    with pytest.raises(ValueError, match="different parameters"):
        charge(processor, "pm_card_visa", key="deposit-1", amount=1)


def test_a_hold_is_captured_once_at_most_in_full_and_the_rest_is_no_longer_held() -> None:
    processor = SimulatedProcessor()
    held = processor.authorize(ChargeRequest("allowance-1", Cents(5000), "pm_card_visa", "test"))
    other = processor.authorize(ChargeRequest("allowance-2", Cents(2000), "pm_card_visa", "test"))
    assert held.reference is not None and other.reference is not None
    assert (processor.held_total, processor.captured_total) == (7000, 0)
    with pytest.raises(ValueError, match="cannot capture"):
        processor.capture(held.reference, Cents(5001), "capture-1")
    processor.capture(held.reference, Cents(1500), "capture-1")
    processor.capture(held.reference, Cents(1500), "capture-1")  # the same request again
    with pytest.raises(ValueError, match="over"):
        processor.capture(held.reference, Cents(1000), "capture-2")
    processor.release(other.reference)
    assert (processor.held_total, processor.captured_total) == (0, 1500)


def test_a_declined_hold_holds_nothing() -> None:
    processor = SimulatedProcessor()
    outcome = processor.authorize(
        ChargeRequest("allowance-1", Cents(5000), "pm_card_chargeDeclined", "test")
    )
    assert outcome.decline_reason is DeclineReason.CARD_DECLINED
    assert processor.held_total == 0

from datetime import UTC
from datetime import datetime
from datetime import timedelta
from pathlib import Path

import pytest
from kinlink_contracts.ledger import DeclineReason
from kinlink_kit.testing import Clock
from kinlink_ledger.adapters.simulated_processor import SimulatedProcessor
from kinlink_ledger.domain.money import Cents
from kinlink_ledger.domain.payments import ChargeOutcome
from kinlink_ledger.domain.payments import ChargeRequest
from kinlink_ledger.domain.payments import PaymentUnavailable
from kinlink_ledger.domain.payments import UnknownPaymentMethod


def charge(
    processor: SimulatedProcessor, method: str, key: str = "k", amount: int = 1000
) -> ChargeOutcome:
    reference = processor.start(ChargeRequest(key, Cents(amount), method, "test"))
    return processor.confirm(reference, payer_present=False)


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
        # A challenge and no payer to answer it: declined, as Stripe's `authentication_required`.
        ("pm_card_threeDSecureRequired", DeclineReason.PAYER_AUTHENTICATION_UNAVAILABLE),
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


def test_a_payment_is_charged_once_however_often_it_is_confirmed() -> None:
    processor = SimulatedProcessor()
    reference = processor.start(ChargeRequest("deposit-1", Cents(5595), "pm_card_visa", "test"))
    first = processor.confirm(reference, payer_present=False)
    assert processor.confirm(reference, payer_present=False) == first
    assert processor.captured_total == 5595


def test_an_idempotency_key_is_forgotten_after_24_hours_and_starts_a_new_payment() -> None:
    clock = Clock(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    processor = SimulatedProcessor(clock=clock)
    request = ChargeRequest("deposit-1", Cents(5595), "pm_card_visa", "test")
    first = processor.start(request)
    clock.now += timedelta(hours=23, minutes=59)
    assert processor.start(request) == first
    clock.now += timedelta(minutes=1)
    assert processor.start(request) != first


def test_a_lost_answer_still_charged_the_card_once() -> None:
    processor = SimulatedProcessor()
    reference = processor.start(ChargeRequest("deposit-1", Cents(5595), "pm_card_visa", "test"))
    processor.lose_next_answers()
    with pytest.raises(PaymentUnavailable):
        processor.confirm(reference, payer_present=False)
    assert processor.captured_total == 5595
    assert processor.confirm(reference, payer_present=False).captured
    assert processor.captured_total == 5595


def test_a_processing_charge_has_no_outcome_until_it_settles() -> None:
    processor = SimulatedProcessor()
    processor.settle_later("pm_card_visa")
    reference = processor.start(ChargeRequest("deposit-1", Cents(5595), "pm_card_visa", "test"))
    outcome = processor.confirm(reference, payer_present=False)
    assert outcome.processing and not outcome.captured and outcome.decline_reason is None
    processor.settle(reference, DeclineReason.INSUFFICIENT_FUNDS)
    assert processor.confirm(reference, payer_present=False).decline_reason is (
        DeclineReason.INSUFFICIENT_FUNDS
    )
    assert processor.captured_total == 0


def test_a_state_file_keeps_the_payments_for_the_next_process(tmp_path: Path) -> None:
    state = tmp_path / "processor.json"
    first = SimulatedProcessor(state_file=state)
    request = ChargeRequest("deposit-1", Cents(5595), "pm_card_visa", "t", {"deposit_id": "d-1"})
    reference = first.start(request)
    first.confirm(reference, payer_present=False)
    held = first.authorize(ChargeRequest("allowance-1", Cents(2000), "pm_card_visa", "test"))
    assert held.reference is not None
    restarted = SimulatedProcessor(state_file=state)
    assert restarted.start(request) == reference
    assert restarted.confirm(reference, payer_present=False).captured
    assert restarted.charges(deposit_id="d-1") == [5595]
    assert (restarted.captured_total, restarted.held_total) == (5595, 2000)


@pytest.mark.parametrize(
    ("passed", "reason"), [(True, None), (False, "payer_authentication_failed")]
)
def test_the_payer_answers_the_challenge_presented_with_its_client_secret(
    passed: bool, reason: str | None
) -> None:
    processor = SimulatedProcessor()
    reference = processor.start(
        ChargeRequest("k", Cents(1000), "pm_card_authenticationRequired", "test")
    )
    challenged = processor.confirm(reference, payer_present=True)
    assert challenged.awaiting_authentication and challenged.authentication
    processor.answer_challenge(challenged.authentication, passed=passed)
    answered = processor.charge_outcome(reference)
    assert answered.decline_reason == (reason and DeclineReason(reason))
    assert answered.captured is passed

"""The payment sweep finishes payments left in flight, through the processor's payment the
ledger recorded, never a new one; on SQLite and on the real PostgreSQL."""

from __future__ import annotations

from datetime import timedelta
from uuid import uuid4

import pytest
from kinlink_contracts.ledger import DeclineReason
from kinlink_kit.errors import FailedPrecondition
from kinlink_kit.testing import Clock
from kinlink_ledger.adapters.simulated_processor import SimulatedProcessor
from kinlink_ledger.domain.account_cards import PaymentMethodNotFound
from kinlink_ledger.domain.deposit import Deposit
from kinlink_ledger.domain.deposit import DepositStatus
from kinlink_ledger.domain.money import Cents
from kinlink_ledger.domain.payments import ChargeRequest
from kinlink_ledger.domain.payments import PaymentRefused
from kinlink_ledger.domain.payments import PaymentUnavailable
from kinlink_ledger.service_layer import confirm_deposit as confirming
from kinlink_ledger.service_layer.confirm_deposit import ConfirmDeposit
from kinlink_ledger.service_layer.confirm_deposit import confirm_deposit
from kinlink_ledger.service_layer.finish_payments import finish_payments_in_flight
from kinlink_ledger.service_layer.ledger import Ledger
from kinlink_ledger.service_layer.quote_deposit import QuoteDeposit
from kinlink_ledger.service_layer.quote_deposit import quote_deposit
from kinlink_ledger.service_layer.set_up_subscription import SetUpSubscription
from kinlink_ledger.service_layer.set_up_subscription import set_up_subscription
from prometheus_client import REGISTRY

from tests.ledger_facilities import D1
from tests.ledger_facilities import D2
from tests.ledger_facilities import choose_card

FACILITY = "FAC-DEMO"
SETTLED_AFTER = timedelta(minutes=15)


def requested(ledger: Ledger, amount: int = 5000, method: str = "pm_card_visa") -> Deposit:
    """A deposit confirmed, whose charge the processor took but never answered."""
    quote = quote_deposit(ledger, QuoteDeposit(FACILITY, "R-1", D1, Cents(amount)))
    with pytest.raises(FailedPrecondition, match="did not answer"):
        confirm_deposit(ledger, ConfirmDeposit(str(quote.id), D1, method, "key-1"))
    return ledger.deposit(Deposit.create_id(quote.id))


def weekly_remaining(ledger: Ledger) -> int:
    return quote_deposit(ledger, QuoteDeposit(FACILITY, "R-1", D2, Cents(100))).weekly_remaining


def sweep(ledger: Ledger) -> int:
    return finish_payments_in_flight(ledger, SETTLED_AFTER)


def gauge(name: str) -> float | None:
    return REGISTRY.get_sample_value(name, {"kind": "deposit"})


def test_a_charge_whose_answer_was_lost_is_finished_once_even_after_the_key_is_forgotten(
    ledger: Ledger, payments: SimulatedProcessor, clock: Clock
) -> None:
    payments.lose_next_answers()
    pending = requested(ledger)
    assert pending.status is DepositStatus.PENDING
    assert sweep(ledger) == 0  # a request may still be handling it
    clock.now += timedelta(hours=25)  # the processor forgot the deposit's idempotency key
    assert sweep(ledger) == 1
    assert ledger.deposit(pending.id).status is DepositStatus.CAPTURED
    assert payments.charges(deposit_id=str(pending.id)) == [5595]
    assert sweep(ledger) == 0
    assert payments.captured_total == 5595
    assert weekly_remaining(ledger) == 30000 - 5000


def test_a_payment_started_but_never_recorded_is_never_charged(
    ledger: Ledger, clock: Clock
) -> None:
    class LostStart(SimulatedProcessor):
        """Creates the payment; the answer (its reference) never arrives, once."""

        lost = 1

        def start(self, request: ChargeRequest) -> str:
            reference = super().start(request)
            if self.lost:
                self.lost -= 1
                raise PaymentUnavailable("timeout")
            return reference

    payments = ledger.payments = LostStart(clock=clock)
    pending = requested(ledger)
    assert pending.payment_reference is None
    clock.now += timedelta(hours=25)  # a new payment is started: the first was never confirmed
    assert sweep(ledger) == 1
    captured = ledger.deposit(pending.id)
    assert captured.status is DepositStatus.CAPTURED
    assert payments.charges(deposit_id=str(pending.id)) == [5595]


def test_a_processing_charge_is_waited_out_and_a_failure_releases_the_week(
    ledger: Ledger, payments: SimulatedProcessor, clock: Clock
) -> None:
    payments.settle_later("pm_card_visa")
    quote = quote_deposit(ledger, QuoteDeposit(FACILITY, "R-1", D1, Cents(5000)))
    pending = confirm_deposit(ledger, ConfirmDeposit(str(quote.id), D1, "pm_card_visa", "k"))
    assert pending.status is DepositStatus.PENDING and pending.payment_reference is not None
    clock.now += SETTLED_AFTER
    assert sweep(ledger) == 0
    assert ledger.deposit(pending.id).status is DepositStatus.PENDING
    assert gauge("kinlink_payments_in_flight") == 1
    assert gauge("kinlink_oldest_payment_in_flight_seconds") == 900
    payments.settle(pending.payment_reference, DeclineReason.INSUFFICIENT_FUNDS)
    assert sweep(ledger) == 1
    declined = ledger.deposit(pending.id)
    assert declined.decline_reason is DeclineReason.INSUFFICIENT_FUNDS
    assert weekly_remaining(ledger) == 30000
    sweep(ledger)
    assert gauge("kinlink_payments_in_flight") == 0
    assert payments.captured_total == 0


def test_a_confirmation_again_that_finishes_the_first_releases_the_week_as_it_is_now(
    ledger: Ledger, payments: SimulatedProcessor, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same confirmation twice at once: the second has read ahead before the first reserved
    the week, its card check fails, and it finishes the first, which the processor declines."""
    earlier = quote_deposit(ledger, QuoteDeposit(FACILITY, "R-1", D1, Cents(1000)))
    confirm_deposit(ledger, ConfirmDeposit(str(earlier.id), D1, "pm_card_visa", "earlier"))
    payments.settle_later("pm_card_visa")
    quote = quote_deposit(ledger, QuoteDeposit(FACILITY, "R-1", D1, Cents(5000)))
    confirm = ConfirmDeposit(str(quote.id), D1, "pm_card_visa", "k")
    check = confirming._check_card_and_resident
    checked: list[object] = []
    first: list[Deposit] = []

    def the_first_confirmation_meanwhile(*args: object) -> None:
        checked.append(args)
        if len(checked) > 1:  # the first confirmation's own check
            return check(*args)  # type: ignore[arg-type]
        first.append(confirm_deposit(ledger, confirm))  # reserved, its charge still processing
        reference = first[0].payment_reference
        assert first[0].status is DepositStatus.PENDING and reference is not None
        payments.settle(reference, DeclineReason.INSUFFICIENT_FUNDS)
        raise PaymentMethodNotFound()  # the card was removed since

    monkeypatch.setattr(confirming, "_check_card_and_resident", the_first_confirmation_meanwhile)
    declined = confirm_deposit(ledger, confirm)

    assert declined.id == first[0].id
    assert declined.decline_reason is DeclineReason.INSUFFICIENT_FUNDS
    assert weekly_remaining(ledger) == 30000 - 1000  # the earlier deposit's only


def test_a_request_the_processor_refuses_declines_the_deposit_and_releases_the_week(
    ledger: Ledger, clock: Clock
) -> None:
    class Refusing(SimulatedProcessor):
        def start(self, request: ChargeRequest) -> str:
            raise PaymentRefused("Keys for idempotent requests can only be used once")

    ledger.payments = Refusing(clock=clock)
    quote = quote_deposit(ledger, QuoteDeposit(FACILITY, "R-1", D1, Cents(5000)))
    refused = confirm_deposit(ledger, ConfirmDeposit(str(quote.id), D1, "pm_card_visa", "k"))
    assert refused.decline_reason is DeclineReason.PAYMENT_REFUSED
    assert weekly_remaining(ledger) == 30000


def test_a_wallet_funding_whose_answer_was_lost_is_funded_once(
    ledger: Ledger, payments: SimulatedProcessor, clock: Clock
) -> None:
    account = uuid4()
    choose_card(ledger, account, "pm_card_visa")
    payments.lose_next_answers()
    with pytest.raises(FailedPrecondition, match="did not answer"):
        set_up_subscription(ledger, SetUpSubscription(account, FACILITY, Cents(1000)))
    clock.now += timedelta(hours=25)
    assert sweep(ledger) == 1
    wallet = ledger.wallet(account)
    assert wallet is not None and wallet.funding is None
    assert (wallet.balance, payments.captured_total) == (1000, 1000)

"""Requirements "ID Verification": some facilities require the depositor to be verified. A facility
may need a verified depositor for every deposit, or once the depositor's deposits of the last 30
days would pass a threshold; the depositor's token says whether identity verified them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from kinlink_contracts.demo import DEMO_FACILITIES
from kinlink_contracts.demo import FAC_DEMO
from kinlink_contracts.demo import facility_configured
from kinlink_contracts.facility_settings import IdVerificationPolicy
from kinlink_kit.errors import FailedPrecondition
from kinlink_kit.testing import Clock
from kinlink_ledger.domain.money import Cents
from kinlink_ledger.service_layer.confirm_deposit import ConfirmDeposit
from kinlink_ledger.service_layer.confirm_deposit import confirm_deposit
from kinlink_ledger.service_layer.ledger import Ledger
from kinlink_ledger.service_layer.quote_deposit import QuoteDeposit
from kinlink_ledger.service_layer.quote_deposit import quote_deposit

from tests.ledger_facilities import D1
from tests.ledger_facilities import book
from tests.ledger_facilities import configure

FACILITY = "FAC-IDV"


def require_verification(
    ledger: Ledger,
    above_cents: int | None,
    policy: IdVerificationPolicy = IdVerificationPolicy.BEFORE_DEPOSIT,
) -> None:
    settings = DEMO_FACILITIES[FAC_DEMO].model_copy(
        update={"id_verification": policy, "id_verification_threshold_cents": above_cents}
    )
    configure(ledger, facility_configured(FACILITY, settings))
    book(ledger, FACILITY, "R-0", "R-1", "R-2")


def deposit(ledger: Ledger, amount: int, *, verified: bool, resident: str = "R-1") -> None:
    quote = quote_deposit(
        ledger, QuoteDeposit(FACILITY, resident, D1, Cents(amount), depositor_verified=verified)
    )
    key = str(quote.id)
    confirm_deposit(
        ledger, ConfirmDeposit(key, D1, "pm_card_visa", key, depositor_verified=verified)
    )


def refused(ledger: Ledger, amount: int, resident: str = "R-1") -> str:
    with pytest.raises(FailedPrecondition) as caught:
        deposit(ledger, amount, verified=False, resident=resident)
    return caught.value.code


def test_without_a_threshold_every_deposit_needs_a_verified_depositor(ledger: Ledger) -> None:
    require_verification(ledger, None)
    assert refused(ledger, 100) == "id_verification_required"
    deposit(ledger, 100, verified=True)


def test_over_the_threshold_in_30_days_the_next_deposit_needs_verification(
    ledger: Ledger, clock: Clock
) -> None:
    require_verification(ledger, 10000)  # $100.00 in 30 days
    deposit(ledger, 6000, verified=False)
    # Another resident, same depositor: the threshold counts the depositor's deposits.
    deposit(ledger, 4000, verified=False, resident="R-2")
    assert refused(ledger, 1) == "id_verification_required"
    deposit(ledger, 5000, verified=True)
    # Thirty days on, the first deposits no longer count.
    clock.now += timedelta(days=30, minutes=1)
    deposit(ledger, 9000, verified=False)


def test_quotes_taken_together_cannot_pass_the_threshold_unverified(ledger: Ledger) -> None:
    require_verification(ledger, 10000)
    quotes = [
        quote_deposit(ledger, QuoteDeposit(FACILITY, f"R-{i}", D1, Cents(9000))) for i in range(3)
    ]  # each alone is under $100.00

    def confirm(i: int, verified: bool = False) -> None:
        key = str(quotes[i].id)
        confirm_deposit(
            ledger, ConfirmDeposit(key, D1, "pm_card_visa", key, depositor_verified=verified)
        )

    confirm(0)
    with pytest.raises(FailedPrecondition) as caught:
        confirm(1)
    assert caught.value.code == "id_verification_required"
    confirm(1, verified=True)
    confirm(0)  # confirming a deposit already made again is no new deposit: not refused


def test_a_facility_verifying_before_activation_needs_verified_depositors(ledger: Ledger) -> None:
    # An account may have been opened without naming this facility: deposits check it too.
    require_verification(ledger, 50000, IdVerificationPolicy.BEFORE_ACTIVATION)
    assert refused(ledger, 100) == "id_verification_required"
    deposit(ledger, 100, verified=True)


def test_a_declined_deposit_does_not_count_towards_the_threshold(ledger: Ledger) -> None:
    require_verification(ledger, 10000)
    quote = quote_deposit(ledger, QuoteDeposit(FACILITY, "R-1", D1, Cents(9000)))
    confirm_deposit(
        ledger,
        ConfirmDeposit(str(quote.id), D1, "pm_card_chargeDeclined", str(quote.id)),
    )
    deposit(ledger, 9000, verified=False)


def test_facilities_without_the_policy_never_ask(ledger: Ledger) -> None:
    quote = quote_deposit(ledger, QuoteDeposit(FAC_DEMO, "R-1", D1, Cents(30000)))
    assert quote.amount == 30000

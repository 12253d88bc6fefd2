"""The messaging subscription wallet's rules (requirements: setup, refill only when depleted,
disable, change of card; credits spent first), on SQLite and on the real PostgreSQL."""

from __future__ import annotations

from uuid import UUID
from uuid import uuid4

import pytest
from kinlink_kit.errors import AlreadyExists
from kinlink_kit.errors import FailedPrecondition
from kinlink_kit.errors import InvalidArgument
from kinlink_kit.errors import NotFound
from kinlink_kit.testing import refused
from kinlink_ledger.adapters.simulated_processor import SimulatedProcessor
from kinlink_ledger.domain.money import Cents
from kinlink_ledger.service_layer.charge_wallet import ChargeWallet
from kinlink_ledger.service_layer.charge_wallet import charge_wallet
from kinlink_ledger.service_layer.complete_funding import CompleteFunding
from kinlink_ledger.service_layer.complete_funding import complete_funding
from kinlink_ledger.service_layer.disable_subscription import DisableSubscription
from kinlink_ledger.service_layer.disable_subscription import disable_subscription
from kinlink_ledger.service_layer.grant_credit import GrantCredit
from kinlink_ledger.service_layer.grant_credit import grant_credit
from kinlink_ledger.service_layer.ledger import Ledger
from kinlink_ledger.service_layer.refill_subscription import RefillSubscription
from kinlink_ledger.service_layer.refill_subscription import refill_subscription
from kinlink_ledger.service_layer.set_up_subscription import SetUpSubscription
from kinlink_ledger.service_layer.set_up_subscription import set_up_subscription
from kinlink_ledger.service_layer.wallet_funding import FundingResult
from kinlink_ledger.service_layer.wallet_funding import FundingStatus

from tests.ledger_facilities import choose_card

FAC = "FAC-DEMO"  # messages 50, images 100, video minutes 25; funded with 10, 20, 30 or 50 dollars
EAST = "FAC-EAST"  # messages 35; funded with 15 or 25 dollars


def set_up(
    ledger: Ledger, card: str = "pm_card_visa", amount: int = 1000, facility: str = FAC
) -> tuple[UUID, FundingResult]:
    account = uuid4()
    choose_card(ledger, account, card)
    return account, set_up_subscription(ledger, SetUpSubscription(account, facility, Cents(amount)))


def charge(
    ledger: Ledger, account: UUID, kind: str = "message", quantity: int = 1, reference: str = ""
) -> int:
    made = charge_wallet(
        ledger, ChargeWallet.single(account, FAC, kind, quantity, reference or uuid4().hex)
    )
    return made.amount


def balance(ledger: Ledger, account: UUID) -> int:
    wallet = ledger.wallet(account)
    assert wallet is not None
    return wallet.balance


def test_setting_up_charges_the_marked_card_once_with_a_funding_amount_of_the_facility(
    ledger: Ledger, payments: SimulatedProcessor
) -> None:
    account, result = set_up(ledger, amount=2000)
    assert result.status is FundingStatus.FUNDED
    assert balance(ledger, account) == 2000
    assert payments.captured_total == 2000


def test_an_amount_off_the_facilitys_price_list_is_refused(ledger: Ledger) -> None:
    account = uuid4()
    choose_card(ledger, account, "pm_card_visa")
    with refused(InvalidArgument, "funding_amount_not_offered", None):
        set_up_subscription(ledger, SetUpSubscription(account, EAST, Cents(1000)))
    assert ledger.wallet(account) is None


def test_without_a_card_marked_for_it_there_is_no_subscription(ledger: Ledger) -> None:
    with refused(FailedPrecondition, "subscription_card_missing", None):
        set_up_subscription(ledger, SetUpSubscription(uuid4(), FAC, Cents(1000)))


def test_a_second_setup_is_refused_while_the_subscription_is_active(ledger: Ledger) -> None:
    account, _ = set_up(ledger)
    with refused(AlreadyExists, "subscription_already_active", None):
        set_up_subscription(ledger, SetUpSubscription(account, FAC, Cents(1000)))


def test_charges_are_priced_by_the_facility_and_kind(ledger: Ledger) -> None:
    account, _ = set_up(ledger, amount=5000)
    assert charge(ledger, account, "message") == 50
    assert charge(ledger, account, "image") == 100
    assert charge(ledger, account, "sms_segment", quantity=3) == 150
    assert charge(ledger, account, "video_minute", quantity=10) == 250
    east = charge_wallet(ledger, ChargeWallet.single(account, EAST, "message", 2, "east-1"))
    assert east.amount == 70
    assert balance(ledger, account) == 5000 - 50 - 100 - 150 - 250 - 70


def test_a_repeated_reference_charges_once_and_a_reused_one_is_refused(ledger: Ledger) -> None:
    account, _ = set_up(ledger)
    first = charge_wallet(ledger, ChargeWallet.single(account, FAC, "message", 1, "msg-1"))
    again = charge_wallet(ledger, ChargeWallet.single(account, FAC, "message", 1, "msg-1"))
    assert again.id == first.id
    assert balance(ledger, account) == 950
    with refused(AlreadyExists, "reference_reused", None):
        charge_wallet(ledger, ChargeWallet.single(account, FAC, "image", 1, "msg-1"))
    assert balance(ledger, account) == 950


def test_a_charge_the_wallet_cannot_cover_is_refused_whole(ledger: Ledger) -> None:
    account, _ = set_up(ledger)  # $10.00
    charge(ledger, account, "video_minute", quantity=38)  # $9.50
    with refused(FailedPrecondition, "insufficient_credit", None):
        charge(ledger, account, "image")  # $1.00
    assert balance(ledger, account) == 50
    assert charge(ledger, account, "message") == 50
    assert balance(ledger, account) == 0


def test_an_account_without_a_wallet_has_no_credit(ledger: Ledger) -> None:
    with refused(FailedPrecondition, "insufficient_credit", None):
        charge(ledger, uuid4())


@pytest.mark.parametrize(
    ("kind", "quantity", "reference", "code"),
    [
        ("postcard", 1, "r", "kind_unknown"),
        ("message", 0, "r", "quantity_out_of_range"),
        ("message", 10_001, "r", "quantity_out_of_range"),
        ("message", 1, " ", "reference_missing"),
    ],
)
def test_bad_charges_are_refused(
    ledger: Ledger, kind: str, quantity: int, reference: str, code: str
) -> None:
    account, _ = set_up(ledger)
    with refused(InvalidArgument, code, None):
        charge_wallet(ledger, ChargeWallet.single(account, FAC, kind, quantity, reference))
    assert balance(ledger, account) == 1000


def test_a_refill_waits_until_the_wallet_is_entirely_depleted(
    ledger: Ledger, payments: SimulatedProcessor
) -> None:
    account, _ = set_up(ledger)
    charge(ledger, account, "video_minute", quantity=39)  # 25 cents left
    with refused(FailedPrecondition, "wallet_not_depleted", None):
        refill_subscription(ledger, RefillSubscription(account))
    charge(ledger, account, "video_minute")
    result = refill_subscription(ledger, RefillSubscription(account))
    assert result.status is FundingStatus.FUNDED
    assert balance(ledger, account) == 1000
    assert payments.captured_total == 2000


def test_a_refill_charges_the_card_that_funds_the_subscription_now(
    ledger: Ledger, payments: SimulatedProcessor
) -> None:
    account, _ = set_up(ledger, card="pm_card_visa")
    charge(ledger, account, "video_minute", quantity=40)
    choose_card(ledger, account, "pm_card_chargeDeclinedInsufficientFunds")
    result = refill_subscription(ledger, RefillSubscription(account))
    assert (result.status, result.failure_reason) == (FundingStatus.FAILED, "insufficient_funds")
    assert balance(ledger, account) == 0
    choose_card(ledger, account, "pm_card_mastercard")
    assert refill_subscription(ledger, RefillSubscription(account)).status is FundingStatus.FUNDED
    assert balance(ledger, account) == 1000


def test_a_declined_first_funding_leaves_a_subscription_to_refill(ledger: Ledger) -> None:
    account, result = set_up(ledger, card="pm_card_chargeDeclined")
    assert (result.status, result.failure_reason) == (FundingStatus.FAILED, "card_declined")
    with refused(FailedPrecondition, "insufficient_credit", None):
        charge(ledger, account)
    choose_card(ledger, account, "pm_card_visa")
    assert refill_subscription(ledger, RefillSubscription(account)).status is FundingStatus.FUNDED


def test_a_payer_who_authenticates_funds_the_wallet(
    ledger: Ledger, payments: SimulatedProcessor
) -> None:
    account, result = set_up(ledger, card="pm_card_threeDSecureRequired")
    assert result.status is FundingStatus.REQUIRES_AUTHENTICATION
    assert result.authentication
    assert balance(ledger, account) == 0
    wallet = ledger.wallet(account)
    assert wallet is not None and wallet.funding is not None
    reference = wallet.funding.payment_reference
    assert reference is not None
    payments.authenticate(reference, passed=True)
    completed = complete_funding(ledger, CompleteFunding(account))
    assert completed.status is FundingStatus.FUNDED
    assert balance(ledger, account) == 1000
    assert payments.captured_total == 1000


@pytest.mark.parametrize(
    ("passed", "reason"),
    [(False, "payer_authentication_failed"), (None, "payer_authentication_unavailable")],
)
def test_a_failed_or_missing_authentication_funds_nothing_and_holds_nothing(
    ledger: Ledger, payments: SimulatedProcessor, passed: bool | None, reason: str
) -> None:
    account, result = set_up(ledger, card="pm_card_authenticationRequired")
    assert result.status is FundingStatus.REQUIRES_AUTHENTICATION
    wallet = ledger.wallet(account)
    assert wallet is not None and wallet.funding is not None
    reference = wallet.funding.payment_reference
    assert reference is not None
    if passed is not None:
        payments.authenticate(reference, passed=passed)
    completed = complete_funding(ledger, CompleteFunding(account))
    assert (completed.status, completed.failure_reason) == (FundingStatus.FAILED, reason)
    assert balance(ledger, account) == 0
    assert payments.captured_total == 0
    assert not payments.charge_outcome(reference).awaiting_authentication


def test_a_funding_waiting_for_the_issuer_blocks_a_second_one(ledger: Ledger) -> None:
    account, _ = set_up(ledger, card="pm_card_threeDSecureRequired")
    with refused(FailedPrecondition, "funding_in_progress", None):
        refill_subscription(ledger, RefillSubscription(account))
    with refused(FailedPrecondition, "funding_in_progress", None):
        disable_subscription(ledger, DisableSubscription(account))


def test_nothing_to_complete_without_a_funding_under_way(ledger: Ledger) -> None:
    with refused(NotFound, "subscription_not_found", None):
        complete_funding(ledger, CompleteFunding(uuid4()))
    account, _ = set_up(ledger)
    with refused(FailedPrecondition, "no_funding_in_progress", None):
        complete_funding(ledger, CompleteFunding(account))


def test_a_disabled_subscription_spends_what_is_left_and_is_not_refilled(ledger: Ledger) -> None:
    account, _ = set_up(ledger)
    disable_subscription(ledger, DisableSubscription(account))
    assert charge(ledger, account) == 50
    with refused(FailedPrecondition, "subscription_not_active", None):
        refill_subscription(ledger, RefillSubscription(account))
    with refused(FailedPrecondition, "subscription_not_active", None):
        disable_subscription(ledger, DisableSubscription(account))
    # Disabling released the card (the family may now remove it): a new subscription needs a
    # card marked for it again.
    with refused(FailedPrecondition, "subscription_card_missing", None):
        set_up_subscription(ledger, SetUpSubscription(account, FAC, Cents(2000)))
    choose_card(ledger, account, "pm_card_visa")
    result = set_up_subscription(ledger, SetUpSubscription(account, FAC, Cents(2000)))
    assert result.status is FundingStatus.FUNDED
    assert balance(ledger, account) == 950 + 2000


def test_operators_credit_is_spent_before_card_funded_credit(ledger: Ledger) -> None:
    account, _ = set_up(ledger)
    credit = GrantCredit(account, FAC, "video_minute", Cents(75), "Dropped call", "call-7", "op-1")
    grant_credit(ledger, credit)
    grant_credit(ledger, credit)  # granted once per reference
    made = charge_wallet(ledger, ChargeWallet.single(account, FAC, "message", 2, "m-1"))
    assert (made.from_credits, made.from_funds) == (75, 25)
    wallet = ledger.wallet(account)
    assert wallet is not None
    assert (wallet.credits, wallet.funds) == (0, 975)


def test_credit_alone_pays_without_a_subscription(ledger: Ledger) -> None:
    account = uuid4()
    grant_credit(ledger, GrantCredit(account, FAC, "message", Cents(100), "Goodwill", "t-1", "op"))
    assert charge(ledger, account, quantity=2) == 100
    with refused(FailedPrecondition, "insufficient_credit", None):
        charge(ledger, account)


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"amount": Cents(0)}, "amount_out_of_range"),
        ({"reason": ""}, "reason_missing"),
        ({"reference": ""}, "reference_missing"),
        ({"kind": "tip"}, "kind_unknown"),
    ],
)
def test_bad_credits_are_refused(ledger: Ledger, change: dict[str, object], code: str) -> None:
    fields: dict[str, object] = {
        "account_id": uuid4(),
        "facility_id": FAC,
        "kind": "message",
        "amount": Cents(100),
        "reason": "Goodwill",
        "reference": "t-1",
        "issued_by": "op",
    }
    with refused(InvalidArgument, code, None):
        grant_credit(ledger, GrantCredit(**{**fields, **change}))  # type: ignore[arg-type]


def test_a_payer_who_authenticates_as_the_funding_is_given_up_gets_the_wallet_funded(
    ledger: Ledger, payments: SimulatedProcessor, monkeypatch: pytest.MonkeyPatch
) -> None:
    account, _ = set_up(ledger, card="pm_card_threeDSecureRequired")
    wallet = ledger.wallet(account)
    assert wallet is not None and wallet.funding is not None
    reference = wallet.funding.payment_reference
    assert reference is not None
    cancel = payments.cancel

    def too_late(reference: str) -> None:
        payments.authenticate(reference, passed=True)  # the payer finished just before
        cancel(reference)  # so the processor refuses to cancel a captured payment

    monkeypatch.setattr(payments, "cancel", too_late)
    completed = complete_funding(ledger, CompleteFunding(account))
    assert completed.status is FundingStatus.FUNDED
    assert balance(ledger, account) == payments.captured_total == 1000


def test_a_choice_delivered_again_after_the_card_was_released_changes_nothing(
    ledger: Ledger,
) -> None:
    account = uuid4()
    choose_card(ledger, account, "pm_card_visa", choice=1)
    set_up_subscription(ledger, SetUpSubscription(account, FAC, Cents(1000)))
    disable_subscription(ledger, DisableSubscription(account))
    choose_card(ledger, account, "pm_card_visa", choice=1)  # the same message, redelivered
    with refused(FailedPrecondition, "subscription_card_missing", None):
        set_up_subscription(ledger, SetUpSubscription(account, FAC, Cents(1000)))
    choose_card(ledger, account, "pm_card_visa", choice=2)  # the family marks it again
    assert (
        set_up_subscription(ledger, SetUpSubscription(account, FAC, Cents(1000))).status
        is FundingStatus.FUNDED
    )

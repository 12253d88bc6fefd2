"""Deposits go only to residents identity booked and held, by one spelling of their id, with a
card the depositor added in identity; facilities post only their own deposits. Each run on
SQLite and on the real PostgreSQL."""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID

import pytest
from kinlink_contracts.demo import FAC_DEMO
from kinlink_contracts.demo import FAC_EAST
from kinlink_contracts.demo import card_added
from kinlink_contracts.facility import DepositPosted
from kinlink_contracts.identity import CardRemoved
from kinlink_contracts.ledger import DeclineReason
from kinlink_kit.consumer import EventRejected
from kinlink_kit.errors import FailedPrecondition
from kinlink_kit.errors import NotFound
from kinlink_kit.testing import refused
from kinlink_ledger.adapters.simulated_processor import SimulatedProcessor
from kinlink_ledger.domain.deposit import Deposit
from kinlink_ledger.domain.deposit import DepositStatus
from kinlink_ledger.domain.money import Cents
from kinlink_ledger.domain.quote import DepositQuote
from kinlink_ledger.service_layer.account_cards import card_removed
from kinlink_ledger.service_layer.authorize_allowance import authorize_allowance
from kinlink_ledger.service_layer.confirm_deposit import ConfirmDeposit
from kinlink_ledger.service_layer.confirm_deposit import confirm_deposit
from kinlink_ledger.service_layer.ledger import Ledger
from kinlink_ledger.service_layer.post_deposit import post_deposit
from kinlink_ledger.service_layer.quote_deposit import QuoteDeposit
from kinlink_ledger.service_layer.quote_deposit import quote_deposit

from tests.integration.ledger.test_allowances import request
from tests.ledger_facilities import D1
from tests.ledger_facilities import D2
from tests.ledger_facilities import add_cards
from tests.ledger_facilities import deliver
from tests.ledger_facilities import depositor
from tests.ledger_facilities import from_identity
from tests.ledger_facilities import release
from tests.ledger_facilities import transfer

# What is not found names no request field here: the gRPC entrypoints name it (test_grpc_api).
NOT_FOUND_RESIDENT = (NotFound, "resident_not_found", None)
RELEASED = (FailedPrecondition, "resident_released", None)
NO_SUCH_CARD = (NotFound, "payment_method_not_found", None)


def quote(
    ledger: Ledger, resident: str, amount: int, who: str = D1, facility: str = FAC_DEMO
) -> DepositQuote:
    return quote_deposit(ledger, QuoteDeposit(facility, resident, who, Cents(amount)))


def confirm(
    ledger: Ledger, issued: DepositQuote, method: str = "pm_card_visa", who: str = D1
) -> Deposit:
    key = str(issued.id)
    return confirm_deposit(ledger, ConfirmDeposit(key, who, method, key))


def test_every_spelling_of_a_residents_id_shares_one_weekly_limit(
    ledger: Ledger, payments: SimulatedProcessor
) -> None:
    first = quote(ledger, "R-1001", 30000)
    assert confirm(ledger, first).status is DepositStatus.CAPTURED
    for spelling in ("R-1001 ", " R-1001", "\tR-1001\n"):
        again = quote(ledger, spelling, 100, who=D2)
        assert (again.resident_id, again.weekly_remaining) == ("R-1001", 0)
        assert confirm(ledger, again, who=D2).decline_reason is DeclineReason.LIMIT_EXCEEDED
    # Identity keeps the facility's case: "r-1001" is no resident it booked, not a second week.
    with refused(*NOT_FOUND_RESIDENT):
        quote(ledger, "r-1001", 100)
    assert payments.captured_total == 30000 + 995


def test_a_resident_identity_never_booked_is_refused_at_quote_and_at_confirm(
    ledger: Ledger, payments: SimulatedProcessor
) -> None:
    with refused(*NOT_FOUND_RESIDENT):
        quote(ledger, "R-NOBODY", 5000)
    # A quote from before the ledger knew the bookings names whoever the family typed.
    old = DepositQuote(
        FAC_DEMO,
        "R-NOBODY",
        D1,
        Cents(5000),
        Cents(595),
        Cents(30000),
        Cents(30000),
        ledger.clock() + timedelta(minutes=15),
    )
    ledger.issue(old)
    with refused(*NOT_FOUND_RESIDENT):
        confirm(ledger, old)
    assert payments.captured_total == 0


def test_a_released_resident_is_refused_at_quote_and_at_confirm_of_an_earlier_quote(
    ledger: Ledger, payments: SimulatedProcessor
) -> None:
    issued = quote(ledger, "R-1003", 5000)
    release(ledger, FAC_DEMO, "R-1003")
    with refused(*RELEASED):
        confirm(ledger, issued)
    with refused(*RELEASED):
        quote(ledger, "R-1003", 5000)
    assert payments.captured_total == 0


def test_a_deposit_made_before_the_release_is_finished_when_confirmed_again(
    ledger: Ledger,
) -> None:
    issued = quote(ledger, "R-1003", 5000)
    made = confirm(ledger, issued)
    release(ledger, FAC_DEMO, "R-1003")
    assert confirm(ledger, issued).id == made.id


def test_a_transferred_residents_deposits_go_to_the_new_facilitys_limit(ledger: Ledger) -> None:
    before = quote(ledger, "R-1002", 5000)
    assert confirm(ledger, quote(ledger, "R-1002", 25000)).status is DepositStatus.CAPTURED
    transfer(ledger, FAC_DEMO, "R-1002", FAC_EAST, "R-2003")
    moved = quote(ledger, "R-1002", 20000)  # the family still names the old facility
    assert (moved.facility_id, moved.resident_id) == (FAC_EAST, "R-2003")
    assert (moved.weekly_limit, moved.weekly_remaining, moved.fee) == (20000, 20000, 750)
    assert confirm(ledger, moved).status is DepositStatus.CAPTURED
    past = quote(ledger, "R-2003", 1, facility=FAC_EAST)
    assert confirm(ledger, past).decline_reason is DeclineReason.LIMIT_EXCEEDED
    # A quote made at the old facility, by its fees and limit, is not confirmed there.
    with refused(FailedPrecondition, "resident_transferred", None):
        confirm(ledger, before)


def test_a_card_the_depositor_did_not_add_is_refused_for_deposits(
    ledger: Ledger, payments: SimulatedProcessor
) -> None:
    stranger = depositor("stranger")
    issued = quote(ledger, "R-1001", 5000, who=stranger)
    with refused(*NO_SUCH_CARD):
        confirm(ledger, issued, "pm_card_visa", who=stranger)  # D1's card, not theirs
    add_cards(ledger, stranger, "pm_card_mastercard")
    with refused(*NO_SUCH_CARD):
        confirm(ledger, issued, "pm_card_visa", who=stranger)
    assert confirm(ledger, issued, "pm_card_mastercard", who=stranger).status is (
        DepositStatus.CAPTURED
    )
    assert payments.captured_total == 5000 + 595


def test_a_removed_card_is_refused(ledger: Ledger) -> None:
    stranger = depositor("stranger")
    add_cards(ledger, stranger, "pm_card_discover")
    card_id = UUID(card_added(stranger, "pm_card_discover").payload["card_id"])
    gone = CardRemoved(account_id=UUID(stranger), card_id=card_id)
    deliver(ledger, card_removed, from_identity(gone, stranger))
    with refused(*NO_SUCH_CARD):
        confirm(ledger, quote(ledger, "R-1001", 100, who=stranger), "pm_card_discover", stranger)


def test_a_card_the_family_member_did_not_add_is_refused_for_allowances(
    ledger: Ledger, payments: SimulatedProcessor
) -> None:
    stranger = UUID(depositor("stranger"))
    with refused(*NO_SUCH_CARD):
        authorize_allowance(ledger, request(5000, "pm_card_visa", account_id=stranger))
    assert payments.held_total == 0


@pytest.mark.parametrize(
    ("facility_id", "resident_id"), [(FAC_EAST, "R-1001"), (FAC_DEMO, "R-1002")]
)
def test_only_the_deposits_facility_posts_it_to_its_resident(
    ledger: Ledger, facility_id: str, resident_id: str
) -> None:
    made = confirm(ledger, quote(ledger, "R-1001", 5000))
    wrong = DepositPosted(
        deposit_id=made.id, facility_id=facility_id, resident_id=resident_id, posted_reference="X"
    )
    envelope = from_identity(wrong, resident_id)
    with pytest.raises(EventRejected) as rejected:
        deliver(ledger, post_deposit, envelope)
    assert rejected.value.code == "deposit_posted_elsewhere"
    assert ledger.deposit(made.id).status is DepositStatus.CAPTURED
    right = wrong.model_copy(update={"facility_id": FAC_DEMO, "resident_id": " R-1001"})
    deliver(ledger, post_deposit, from_identity(right, "R-1001"))
    assert ledger.deposit(made.id).status is DepositStatus.POSTED

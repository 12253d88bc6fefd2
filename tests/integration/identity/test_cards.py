"""Payment methods: cards by processor token only, the facility's brands, never prepaid, and the
card funding the messaging subscription held until the subscription moves (docs/requirements.md)."""

from __future__ import annotations

from datetime import UTC
from datetime import datetime

import pytest
from eventsourcing.persistence import IntegrityError
from kinlink_contracts.envelope import Envelope
from kinlink_contracts.facility_settings import FacilitySettings
from kinlink_contracts.facility_settings import FeeTier
from kinlink_identity.adapters.integration_events import IdentityEventTranslator
from kinlink_identity.domain.account import Account
from kinlink_identity.domain.card import Card
from kinlink_identity.domain.card import CardNotFound
from kinlink_identity.domain.card_processor import CardDetails
from kinlink_identity.domain.card_processor import CardLookup
from kinlink_identity.domain.card_processor import CardProcessorUnavailable
from kinlink_identity.domain.facility import Facility
from kinlink_identity.service_layer.activate import activate
from kinlink_identity.service_layer.cards import AccountCard
from kinlink_identity.service_layer.cards import AddCard
from kinlink_identity.service_layer.cards import EditCard
from kinlink_identity.service_layer.cards import add_card
from kinlink_identity.service_layer.cards import edit_card
from kinlink_identity.service_layer.cards import list_cards
from kinlink_identity.service_layer.cards import remove_card
from kinlink_identity.service_layer.identity import Identity
from kinlink_identity.service_layer.register import Register
from kinlink_identity.service_layer.register import register
from kinlink_kit.errors import FailedPrecondition
from kinlink_kit.errors import InvalidArgument
from kinlink_kit.errors import NotFound
from kinlink_kit.errors import Unavailable
from kinlink_kit.testing import Clock
from kinlink_kit.testing import refused

from tests.integration.identity.conftest import RecordingMailer

PASSWORD = "correct horse battery"
HOME = {
    "line1": "12 Elm Street",
    "line2": "",
    "city": "Springfield",
    "region": "IL",
    "postal_code": "62701",
    "country": "US",
}
OFFICE = {**HOME, "line1": "400 Market Street", "postal_code": "62702"}


def signed_up(
    identity: Identity,
    mailer: RecordingMailer,
    email: str = "pat@example.com",
    *,
    active: bool = True,
) -> Account:
    account = register(
        identity,
        Register(
            email, "correct horse battery", "Pat", "Doe", HOME, "+13125550100", "America/Chicago"
        ),
    )
    return activate(identity, mailer.last_token(email)) if active else account


def add(
    identity: Identity, account: Account, payment_method: str, **options: object
) -> AccountCard:
    return add_card(identity, AddCard(str(account.id), payment_method, HOME, **options))  # type: ignore[arg-type]


def listed(identity: Identity, account: Account) -> list[tuple[str, bool]]:
    return [
        (owned.card.payment_method, owned.funds_messaging_subscription)
        for owned in list_cards(identity, str(account.id))
    ]


def configure(identity: Identity, facility_id: str, *brands: str) -> None:
    settings = FacilitySettings(
        name=f"{facility_id} County Jail",
        time_zone="America/Chicago",
        deposit_fee_tiers=(FeeTier(up_to_cents=30000, fee_cents=300),),
        accepted_card_brands=brands,
    )
    identity.store.save(Facility.configure(facility_id, settings))


def test_a_card_is_added_by_its_token_and_listed(
    identity: Identity, mailer: RecordingMailer
) -> None:
    account = signed_up(identity, mailer)
    owned = add(identity, account, "pm_card_visa")
    card = owned.card
    assert (card.brand, card.funding, card.last4, card.exp_month) == ("visa", "credit", "4242", 12)
    assert card.exp_year > datetime.now(UTC).year
    assert card.account_id == account.id and card.billing_address == HOME
    assert not owned.funds_messaging_subscription
    add(identity, account, "pm_card_mastercard_debit")
    assert listed(identity, account) == [
        ("pm_card_visa", False),
        ("pm_card_mastercard_debit", False),
    ]


@pytest.mark.parametrize(
    "payment_method", ["pm_card_visa", "pm_card_mastercard", "pm_card_discover"]
)
def test_visa_mastercard_and_discover_are_accepted_by_default(
    identity: Identity, mailer: RecordingMailer, payment_method: str
) -> None:
    account = signed_up(identity, mailer)
    add(identity, account, payment_method)
    assert listed(identity, account) == [(payment_method, False)]


@pytest.mark.parametrize(
    "payment_method", ["pm_card_amex", "pm_card_diners", "pm_card_jcb", "pm_card_unionpay"]
)
def test_other_brands_are_refused_by_default(
    identity: Identity, mailer: RecordingMailer, payment_method: str
) -> None:
    account = signed_up(identity, mailer)
    with refused(InvalidArgument, "card_brand_not_accepted", None):
        add(identity, account, payment_method)
    assert listed(identity, account) == []


def test_prepaid_cards_are_refused(identity: Identity, mailer: RecordingMailer) -> None:
    account = signed_up(identity, mailer)
    with refused(InvalidArgument, "prepaid_not_supported", None):
        add(identity, account, "pm_card_mastercard_prepaid")
    assert listed(identity, account) == []


def test_the_facility_named_decides_the_brands(identity: Identity, mailer: RecordingMailer) -> None:
    configure(identity, "FAC-AMEX", "visa", "amex")
    account = signed_up(identity, mailer)
    add(identity, account, "pm_card_amex", facility_id="FAC-AMEX")
    with refused(InvalidArgument, "card_brand_not_accepted", None):
        add(identity, account, "pm_card_mastercard", facility_id="FAC-AMEX")
    with refused(NotFound, "facility_not_found", None):
        add(identity, account, "pm_card_visa", facility_id="FAC-NOWHERE")
    assert listed(identity, account) == [("pm_card_amex", False)]


def test_prepaid_is_refused_even_where_the_brand_is_accepted(
    identity: Identity, mailer: RecordingMailer
) -> None:
    configure(identity, "FAC-MC", "mastercard")
    account = signed_up(identity, mailer)
    with refused(InvalidArgument, "prepaid_not_supported", None):
        add(identity, account, "pm_card_mastercard_prepaid", facility_id="FAC-MC")


@pytest.mark.parametrize(
    "number", ["4242424242424242", "4242 4242 4242 4242", "4242-4242-4242-4242", "378282246310005"]
)
def test_a_card_number_is_refused_and_not_repeated(
    identity: Identity, mailer: RecordingMailer, number: str
) -> None:
    account = signed_up(identity, mailer)
    with pytest.raises(InvalidArgument) as caught:
        add(identity, account, number)
    assert caught.value.code == "payment_method_not_a_token"
    assert not any(character.isdigit() for character in caught.value.message)
    assert listed(identity, account) == []


def test_a_missing_or_unknown_token_is_refused(identity: Identity, mailer: RecordingMailer) -> None:
    account = signed_up(identity, mailer)
    with refused(InvalidArgument, "payment_method_missing", None):
        add(identity, account, "  ")
    with refused(InvalidArgument, "payment_method_unknown", None):
        add(identity, account, "pm_card_nonexistent")


def test_the_billing_address_must_be_complete(identity: Identity, mailer: RecordingMailer) -> None:
    account = signed_up(identity, mailer)
    with refused(InvalidArgument, "address_incomplete", None):
        add_card(identity, AddCard(str(account.id), "pm_card_visa", {**HOME, "postal_code": ""}))


def test_an_account_not_yet_activated_cannot_add_cards(
    identity: Identity, mailer: RecordingMailer
) -> None:
    account = signed_up(identity, mailer, active=False)
    with refused(FailedPrecondition, "account_not_activated", None):
        add(identity, account, "pm_card_visa")


class DownProcessor(CardLookup):
    def details(self, payment_method: str) -> CardDetails:
        raise CardProcessorUnavailable("connection refused")


class ExpiredCards(CardLookup):
    def details(self, payment_method: str) -> CardDetails:
        return CardDetails("visa", "credit", "4242", exp_month=10, exp_year=2026)


def test_an_unreachable_processor_is_unavailable(
    identity: Identity, mailer: RecordingMailer
) -> None:
    account = signed_up(identity, mailer)
    identity.cards = DownProcessor()
    with refused(Unavailable, "card_processor_unavailable", None):
        add(identity, account, "pm_card_visa")


def test_an_expired_card_is_refused(identity: Identity, mailer: RecordingMailer) -> None:
    account = signed_up(identity, mailer)
    identity.cards = ExpiredCards()  # October 2026; the clock says November 2026
    with refused(InvalidArgument, "card_expired", None):
        add(identity, account, "pm_card_visa")


def test_adding_the_same_token_twice_is_the_same_card(
    identity: Identity, mailer: RecordingMailer
) -> None:
    account = signed_up(identity, mailer)
    first = add(identity, account, "pm_card_visa")
    second = add(identity, account, "pm_card_visa")
    assert second.card.id == first.card.id and second.card.version == first.card.version
    assert listed(identity, account) == [("pm_card_visa", False)]


def test_the_same_token_on_two_accounts_is_two_cards(
    identity: Identity, mailer: RecordingMailer
) -> None:
    pat = signed_up(identity, mailer)
    sam = signed_up(identity, mailer, "sam@example.com")
    assert add(identity, pat, "pm_card_visa").card.id != add(identity, sam, "pm_card_visa").card.id


def test_a_removed_card_is_gone_and_can_be_added_again(
    identity: Identity, mailer: RecordingMailer
) -> None:
    account = signed_up(identity, mailer)
    card = add(identity, account, "pm_card_visa").card
    add(identity, account, "pm_card_discover")
    remove_card(identity, str(account.id), str(card.id))
    assert listed(identity, account) == [("pm_card_discover", False)]
    with refused(NotFound, "card_not_found", None):
        remove_card(identity, str(account.id), str(card.id))
    with refused(NotFound, "card_not_found", None):
        edit_card(identity, EditCard(str(account.id), str(card.id), exp_month=1))

    again = add_card(identity, AddCard(str(account.id), "pm_card_visa", OFFICE)).card
    assert again.id == card.id and again.billing_address == OFFICE
    assert listed(identity, account) == [("pm_card_visa", False), ("pm_card_discover", False)]


def test_re_adding_a_card_is_published_as_added_again(
    identity: Identity, mailer: RecordingMailer
) -> None:
    account = signed_up(identity, mailer)
    card = add(identity, account, "pm_card_visa").card
    remove_card(identity, str(account.id), str(card.id))
    add(identity, account, "pm_card_visa")
    translate = IdentityEventTranslator(identity.store)
    published = [translate(n) for n in identity.store.tracking.select_notifications(1, 1000)]
    envelopes = [Envelope.from_bytes(m.value) for m in published if m is not None]
    card_events = [e.type for e in envelopes if e.type.startswith("Card")]
    assert card_events == ["CardAdded", "CardRemoved", "CardAdded"]


def test_a_card_of_another_account_does_not_exist_for_the_caller(
    identity: Identity, mailer: RecordingMailer
) -> None:
    pat = signed_up(identity, mailer)
    sam = signed_up(identity, mailer, "sam@example.com")
    card = add(identity, pat, "pm_card_visa").card
    with refused(NotFound, "card_not_found", None):
        edit_card(identity, EditCard(str(sam.id), str(card.id), exp_year=2030))
    with refused(NotFound, "card_not_found", None):
        remove_card(identity, str(sam.id), str(card.id))
    with refused(NotFound, "card_not_found", None):
        remove_card(identity, str(sam.id), "not-a-card-id")
    assert listed(identity, sam) == []
    assert listed(identity, pat) == [("pm_card_visa", False)]


def test_expiry_and_billing_address_can_be_edited(
    identity: Identity, mailer: RecordingMailer
) -> None:
    account = signed_up(identity, mailer)
    card = add(identity, account, "pm_card_visa").card
    edited = edit_card(
        identity, EditCard(str(account.id), str(card.id), exp_month=3, exp_year=2031)
    ).card
    assert (edited.exp_month, edited.exp_year, edited.billing_address) == (3, 2031, HOME)
    edited = edit_card(
        identity, EditCard(str(account.id), str(card.id), billing_address=OFFICE)
    ).card
    assert (edited.exp_month, edited.exp_year, edited.billing_address) == (3, 2031, OFFICE)
    [owned] = list_cards(identity, str(account.id))
    assert (owned.card.exp_month, owned.card.exp_year, owned.card.billing_address) == (
        3,
        2031,
        OFFICE,
    )


def test_an_edit_must_name_a_change_and_valid_dates(
    identity: Identity, mailer: RecordingMailer
) -> None:
    account = signed_up(identity, mailer)
    card_id = str(add(identity, account, "pm_card_visa").card.id)
    with refused(InvalidArgument, "fields_missing", None):
        edit_card(identity, EditCard(str(account.id), card_id))
    with refused(InvalidArgument, "exp_month_invalid", None):
        edit_card(identity, EditCard(str(account.id), card_id, exp_month=13))
    with refused(InvalidArgument, "exp_year_invalid", None):
        edit_card(identity, EditCard(str(account.id), card_id, exp_year=2099))
    with refused(InvalidArgument, "address_incomplete", None):
        edit_card(identity, EditCard(str(account.id), card_id, billing_address={}))


def test_an_expired_card_cannot_be_edited(
    identity: Identity, mailer: RecordingMailer, clock: Clock
) -> None:
    account = signed_up(identity, mailer)
    card_id = str(add(identity, account, "pm_card_visa").card.id)
    # November 2026: a card expiring this month is still good, last month's is not.
    edit_card(identity, EditCard(str(account.id), card_id, exp_month=11, exp_year=2026))
    with refused(InvalidArgument, "card_expired", None):
        edit_card(identity, EditCard(str(account.id), card_id, exp_month=10, exp_year=2026))
    clock.now = datetime(2026, 12, 1, tzinfo=UTC)
    with refused(InvalidArgument, "card_expired", None):
        edit_card(identity, EditCard(str(account.id), card_id, billing_address=OFFICE))


def test_the_card_funding_the_messaging_subscription_is_held(
    identity: Identity, mailer: RecordingMailer
) -> None:
    account = signed_up(identity, mailer)
    funding = add(identity, account, "pm_card_visa", fund_messaging_subscription=True)
    assert funding.funds_messaging_subscription
    assert identity.account(account.id).messaging_subscription_card_id == funding.card.id
    card_id = str(funding.card.id)
    for edit in (
        EditCard(str(account.id), card_id, exp_year=2031),
        EditCard(str(account.id), card_id, billing_address=OFFICE),
        # Unmarking it would cancel the subscription, which is done on the subscription.
        EditCard(str(account.id), card_id, fund_messaging_subscription=False),
    ):
        with refused(FailedPrecondition, "card_funds_messaging_subscription", None):
            edit_card(identity, edit)
    with refused(FailedPrecondition, "card_funds_messaging_subscription", None):
        remove_card(identity, str(account.id), card_id)
    assert listed(identity, account) == [("pm_card_visa", True)]
    # Marking it again changes nothing and is no edit of its details.
    edit_card(identity, EditCard(str(account.id), card_id, fund_messaging_subscription=True))
    assert listed(identity, account) == [("pm_card_visa", True)]


def test_removing_a_card_collides_with_choosing_it_to_fund_the_subscription(
    identity: Identity, mailer: RecordingMailer
) -> None:
    account = signed_up(identity, mailer)
    card = add(identity, account, "pm_card_visa").card
    # A removal that read the card before it was chosen, and saves after.
    stale = identity.require(card.id, Card, CardNotFound)
    edit_card(identity, EditCard(str(account.id), str(card.id), fund_messaging_subscription=True))
    stale.remove(None)
    with pytest.raises(IntegrityError):
        identity.store.save(stale)
    # Asked again, the removal sees the card funding the subscription and refuses.
    with refused(FailedPrecondition, "card_funds_messaging_subscription", None):
        remove_card(identity, str(account.id), str(card.id))


def test_adding_a_card_for_the_subscription_moves_it(
    identity: Identity, mailer: RecordingMailer
) -> None:
    account = signed_up(identity, mailer)
    old = add(identity, account, "pm_card_visa", fund_messaging_subscription=True).card
    new = add(identity, account, "pm_card_discover", fund_messaging_subscription=True)
    assert new.funds_messaging_subscription
    assert listed(identity, account) == [("pm_card_visa", False), ("pm_card_discover", True)]
    edit_card(identity, EditCard(str(account.id), str(old.id), exp_year=2031))
    remove_card(identity, str(account.id), str(old.id))
    assert listed(identity, account) == [("pm_card_discover", True)]
    with refused(FailedPrecondition, "card_funds_messaging_subscription", None):
        remove_card(identity, str(account.id), str(new.card.id))


def test_marking_another_card_moves_the_subscription(
    identity: Identity, mailer: RecordingMailer
) -> None:
    account = signed_up(identity, mailer)
    old = add(identity, account, "pm_card_visa", fund_messaging_subscription=True).card
    other = add(identity, account, "pm_card_mastercard").card
    # The new card's details may change in the same edit: it did not fund anything before.
    moved = edit_card(
        identity,
        EditCard(str(account.id), str(other.id), exp_year=2032, fund_messaging_subscription=True),
    )
    assert moved.funds_messaging_subscription and moved.card.exp_year == 2032
    assert identity.account(account.id).messaging_subscription_card_id == other.id
    remove_card(identity, str(account.id), str(old.id))
    assert listed(identity, account) == [("pm_card_mastercard", True)]

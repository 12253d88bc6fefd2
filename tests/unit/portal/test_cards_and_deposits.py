"""Cards and deposits as the pages say them, with stand-in identity and ledger: every new refusal
code has its sentence in English and Spanish, a deposit's confirmation is idempotent (the same
quote and key however often it is posted), the receipt prints with its own stylesheet, and the
card entry mode decides the page, its script and the Content-Security-Policy."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from dataclasses import field
from typing import Any

import pytest
from google.protobuf.timestamp_pb2 import Timestamp
from kinlink.identity.v1 import identity_pb2 as identity_pb
from kinlink.ledger.v1 import ledger_pb2 as pb
from kinlink_contracts.ledger import DeclineReason
from kinlink_kit.errors import FailedPrecondition
from kinlink_kit.errors import InvalidArgument
from kinlink_kit.testing import TEST_CARDS
from kinlink_portal import card_entry
from kinlink_portal.app import create_app
from kinlink_portal.i18n import use_language
from kinlink_portal.security import CONTENT_SECURITY_POLICY
from kinlink_portal.sentences import sentence
from starlette.testclient import TestClient

from tests.portal_web import csrf_of
from tests.unit.portal.conftest import StandInIdentity
from tests.unit.portal.conftest import portal_settings
from tests.unit.portal.conftest import post_form
from tests.unit.portal.conftest import refusal
from tests.unit.portal.test_refusals import error_beside
from tests.unit.portal.test_sessions import NOW
from tests.unit.portal.test_sessions import session

FACILITY, RESIDENT = "FAC-DEMO", "R-1001"
SEND = f"/send/{FACILITY}/{RESIDENT}"
QUOTE = pb.DepositQuote(
    quote_id="q-1",
    facility_id=FACILITY,
    resident_id=RESIDENT,
    amount_cents=5000,
    fee_cents=595,
    total_cents=5595,
    weekly_remaining_cents=30000,
    weekly_limit_cents=30000,
    expires_at=Timestamp(seconds=int(NOW) + 900),
)
VISA = identity_pb.Card(card_id="c-1", brand="visa", last4="4242", payment_method="pm_card_visa")
CAPTURED = pb.Deposit(
    deposit_id="d-1",
    facility_id=FACILITY,
    resident_id=RESIDENT,
    amount_cents=5000,
    fee_cents=595,
    total_cents=5595,
    status=pb.DEPOSIT_STATUS_CAPTURED,
    receipt=pb.Receipt(
        receipt_number="KL-ABC123",
        payment_reference="pi_sim_1",
        captured_at=Timestamp(seconds=1_764_700_000),  # 2025-12-02 18:26 UTC, 12:26 in Chicago
    ),
)
BILLING = {
    "address.line1": "1 Main St",
    "address.city": "Chicago",
    "address.region": "IL",
    "address.postal_code": "60601",
    "address.country": "US",
}
# Every refusal code the card and deposit pages can meet: the services' and the portal's own.
CARD_AND_DEPOSIT_CODES = (
    "card_choice_missing",
    "payment_method_missing",
    "payment_method_unknown",
    "payment_method_not_a_token",
    "payment_method_not_found",
    "prepaid_not_supported",
    "card_brand_not_accepted",
    "card_expired",
    "exp_month_invalid",
    "exp_year_invalid",
    "card_not_found",
    "card_funds_messaging_subscription",
    "card_processor_unavailable",
    "processor_unavailable",
    "amount_not_positive",
    "amount_above_largest_deposit",
    "amount_out_of_range",
    "quote_not_found",
    "resident_not_found",
    "resident_released",
    "resident_transferred",
    "id_verification_required",
    "charge_outcome_unknown",
    *(reason.value for reason in DeclineReason),
)


@dataclass
class StandInPlatform:
    identity: StandInIdentity
    ledger: StandInIdentity = field(default_factory=StandInIdentity)
    timeout: float = 1.0


@pytest.fixture
def platform(identity: StandInIdentity) -> StandInPlatform:
    identity.answers |= {
        "LogIn": session("first", NOW + 900),
        "SearchResidents": identity_pb.SearchResidentsResponse(
            residents=[
                identity_pb.ResidentSummary(
                    facility_id=FACILITY,
                    facility_name="Demo County Jail",
                    resident_id=RESIDENT,
                    first_name="Ada",
                    last_name="Lovelace",
                )
            ]
        ),
        "GetFacility": identity_pb.Facility(
            facility_id=FACILITY,
            settings=identity_pb.FacilitySettings(time_zone="America/Chicago"),
        ),
        "ListCards": identity_pb.ListCardsResponse(cards=[VISA]),
        "ListFacilities": identity_pb.ListFacilitiesResponse(),
        "GetAccount": identity_pb.Account(
            address=identity_pb.PostalAddress(
                line1="1 Main St", city="Chicago", region="IL", postal_code="60601", country="US"
            )
        ),
    }
    return StandInPlatform(identity)


def signed_in_portal(platform: StandInPlatform, **settings: Any) -> Iterator[TestClient]:
    app = create_app(portal_settings(secure_cookies=False, **settings), clock=lambda: NOW)
    with TestClient(app) as client:
        app.state.services = platform
        post_form(client, "/log-in", {"email": "ana@example.com", "password": "a-password"})
        yield client


@pytest.fixture
def client(platform: StandInPlatform) -> Iterator[TestClient]:
    yield from signed_in_portal(platform)


@pytest.fixture
def stripe_client(platform: StandInPlatform) -> Iterator[TestClient]:
    yield from signed_in_portal(
        platform, card_entry="stripe_elements", stripe_publishable_key="pk_test_123"
    )


def calls(stand_in: StandInIdentity, method: str) -> list[Any]:
    return [request for name, request, _metadata in stand_in.calls if name == method]


def quoted(client: TestClient, platform: StandInPlatform, amount: str = "50") -> str:
    """Quote a deposit through the amount form; the confirmation page's address."""
    platform.ledger.answers["QuoteDeposit"] = QUOTE
    sent = post_form(client, SEND, {"amount_cents": amount})
    assert sent.status_code == 303, sent.text
    return str(sent.headers["location"])


@pytest.mark.parametrize("code", CARD_AND_DEPOSIT_CODES)
@pytest.mark.parametrize("language", ["en", "es"])
def test_every_card_and_deposit_refusal_has_its_own_sentence(code: str, language: str) -> None:
    use_language(language)
    said = sentence(code)
    use_language("en")
    assert said and said != sentence("")  # not the generic sentence
    if language == "es":
        assert said != sentence(code)  # translated


def test_the_test_cards_offered_are_the_processors_documented_ones() -> None:
    offered = [card.payment_method for card in card_entry.TEST_CARDS]
    assert set(offered) <= set(TEST_CARDS)
    assert card_entry.TEST_CARDS[0].label() == "Visa ending 4242 (test card)"


def test_a_prepaid_card_is_refused_beside_the_card_choice(
    client: TestClient, platform: StandInPlatform
) -> None:
    platform.identity.answers["AddCard"] = refusal(
        InvalidArgument("prepaid_not_supported", "prepaid", field="payment_method")
    )
    form = {"payment_method": "pm_card_mastercard_prepaid", **BILLING}
    page = post_form(client, "/cards/add", form)
    assert page.status_code == 400
    assert 'id="payment_method-error"' in page.text
    assert sentence("prepaid_not_supported") in page.text
    assert calls(platform.identity, "AddCard")[0].payment_method == "pm_card_mastercard_prepaid"


def test_an_expired_card_is_refused_beside_the_card_chosen(
    client: TestClient, platform: StandInPlatform
) -> None:
    platform.identity.answers["AddCard"] = refusal(
        InvalidArgument("card_expired", "expired", field="exp_year")
    )
    page = post_form(client, "/cards/add", {"payment_method": "pm_card_visa", **BILLING})
    assert 'id="payment_method-error"' in page.text
    assert sentence("card_expired") in page.text


def test_a_refused_billing_address_is_said_beside_the_address(
    client: TestClient, platform: StandInPlatform
) -> None:
    platform.identity.answers["AddCard"] = refusal(
        InvalidArgument("address_country_invalid", "country", field="billing_address")
    )
    form = {"payment_method": "pm_card_visa", **BILLING, "address.country": "USA"}
    page = post_form(client, "/cards/add", form)
    assert 'id="address-error"' in page.text
    assert sentence("address_country_invalid") in page.text


def test_the_subscriptions_card_cannot_be_removed_and_the_page_says_why(
    client: TestClient, platform: StandInPlatform
) -> None:
    platform.identity.answers["RemoveCard"] = refusal(
        FailedPrecondition("card_funds_messaging_subscription", "funds it", field="card_id")
    )
    page = post_form(client, "/cards/c-1/remove", {})
    assert page.status_code == 400
    assert sentence("card_funds_messaging_subscription") in page.text


def test_a_quote_shows_the_fee_the_total_what_is_left_and_when_it_expires(
    client: TestClient, platform: StandInPlatform
) -> None:
    page = client.get(quoted(client, platform))
    assert calls(platform.ledger, "QuoteDeposit")[0].amount_cents == 5000
    for shown in ("$50.00", "$5.95", "$55.95", "Ada Lovelace can still receive $250.00 this week."):
        assert shown in page.text
    assert "Central time (Chicago)" in page.text  # the expiry, on the facility's clock


def test_an_amount_past_the_weekly_limit_is_refused_with_what_remains(
    client: TestClient, platform: StandInPlatform
) -> None:
    platform.ledger.answers["QuoteDeposit"] = pb.DepositQuote(
        quote_id="q-2", amount_cents=5000, weekly_remaining_cents=1250
    )
    page = post_form(client, SEND, {"amount_cents": "50"})
    assert page.status_code == 400
    assert error_beside(page.text, "amount_cents") == (
        "Error: This is more than the resident can receive this week. "
        "Ada Lovelace can still receive $12.50 this week."
    )


def test_confirming_twice_sends_the_same_quote_and_key_and_shows_one_receipt(
    client: TestClient, platform: StandInPlatform
) -> None:
    confirm = quoted(client, platform)
    platform.ledger.answers["ConfirmDeposit"] = CAPTURED
    token = csrf_of(client.get(confirm).text)
    form = {"payment_method": "pm_card_visa", "csrf_token": token}
    first = client.post(confirm, data=form, follow_redirects=False)
    again = client.post(confirm, data=form, follow_redirects=False)  # a double click, a reload
    assert first.headers["location"] == again.headers["location"] == "/deposits/d-1"
    confirmations = calls(platform.ledger, "ConfirmDeposit")
    assert len(confirmations) == 2
    assert confirmations[0] == confirmations[1]
    assert confirmations[0].quote_id == "q-1" and len(confirmations[0].idempotency_key) >= 16
    # A new quote gets a new key: it is a new deposit.
    quoted(client, platform)
    client.post(confirm, data=form, follow_redirects=False)
    assert calls(platform.ledger, "ConfirmDeposit")[2].idempotency_key != (
        confirmations[0].idempotency_key
    )


def test_a_declined_deposit_says_why_and_that_the_card_was_not_charged(
    client: TestClient, platform: StandInPlatform
) -> None:
    platform.ledger.answers["GetDeposit"] = pb.Deposit(
        deposit_id="d-2",
        facility_id=FACILITY,
        resident_id=RESIDENT,
        status=pb.DEPOSIT_STATUS_DECLINED,
        decline_reason="insufficient_funds",
    )
    page = client.get("/deposits/d-2")
    assert sentence("insufficient_funds") in page.text
    assert "Your card was not charged." in page.text
    assert "Receipt" not in page.text


def test_a_weekly_limit_decline_says_what_the_resident_can_still_receive(
    client: TestClient, platform: StandInPlatform
) -> None:
    platform.ledger.answers["GetDeposit"] = pb.Deposit(
        deposit_id="d-3",
        facility_id=FACILITY,
        resident_id=RESIDENT,
        amount_cents=5000,
        status=pb.DEPOSIT_STATUS_DECLINED,
        decline_reason="limit_exceeded",
    )
    platform.ledger.answers["QuoteDeposit"] = pb.DepositQuote(weekly_remaining_cents=700)
    page = client.get("/deposits/d-3")
    assert "Ada Lovelace can still receive $7.00 this week." in page.text


@pytest.mark.parametrize(
    ("code", "not_charged"),
    [
        ("id_verification_required", True),
        ("resident_transferred", True),
        ("charge_outcome_unknown", False),  # the charge may have gone through: never said
    ],
)
def test_a_refused_confirmation_is_explained_and_says_not_charged_only_when_sure(
    client: TestClient, platform: StandInPlatform, code: str, not_charged: bool
) -> None:
    confirm = quoted(client, platform)
    platform.ledger.answers["ConfirmDeposit"] = refusal(FailedPrecondition(code, "no", field=""))
    page = post_form(client, confirm, {"payment_method": "pm_card_visa"})
    assert page.status_code == 400
    assert sentence(code) in page.text
    assert ("Your card was not charged." in page.text) is not_charged
    verification_link = 'href="/help/id-verification"' in page.text
    assert verification_link is (code == "id_verification_required")


def test_the_receipt_prints_with_its_own_stylesheet_on_the_facilitys_clock(
    client: TestClient, platform: StandInPlatform
) -> None:
    platform.ledger.answers["GetDeposit"] = CAPTURED
    page = client.get("/deposits/d-1")
    assert '<link rel="stylesheet" href="/static/print.css" media="print">' in page.text
    for shown in ("KL-ABC123", "pi_sim_1", "Ada Lovelace", "Demo County Jail", "$55.95"):
        assert shown in page.text
    assert "Dec 2, 2025, 12:26:40" in page.text  # Chicago time
    print_css = client.get("/static/print.css").text
    assert re.search(r"\.site-header[^{]*\.actions[^{]*button[^{]*\{ display: none", print_css)


def test_with_test_cards_the_page_offers_them_and_keeps_the_strict_policy(
    client: TestClient,
) -> None:
    page = client.get("/cards/add")
    assert page.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert "Visa ending 4242 (test card)" in page.text
    assert "js.stripe.com" not in page.text


def test_with_stripe_elements_the_page_mounts_stripes_fields_and_allows_only_its_hosts(
    stripe_client: TestClient, platform: StandInPlatform
) -> None:
    page = stripe_client.get("/cards/add")
    assert '<script src="https://js.stripe.com/v3/" defer></script>' in page.text
    assert '<script src="/static/card_entry.js" defer></script>' in page.text
    assert 'id="card-element"' in page.text and 'data-stripe-key="pk_test_123"' in page.text
    assert "test card" not in page.text
    # No input of ours can hold a card number: only Stripe's frame does.
    inputs = re.findall(r'<input[^>]*name="([^"]+)"', page.text)
    assert "payment_method" in inputs
    assert not [name for name in inputs if re.search(r"card|number|cvc|exp", name)]
    policy = dict(
        directive.strip().split(" ", 1)
        for directive in page.headers["content-security-policy"].split(";")
    )
    outside = {
        name: {source for source in sources.split() if source.startswith("https://")}
        for name, sources in policy.items()
    }
    assert outside == {
        "default-src": set(),
        "script-src": {"https://js.stripe.com", "https://*.js.stripe.com"},
        "style-src": set(),
        "img-src": set(),
        "font-src": set(),
        "connect-src": {"https://api.stripe.com"},
        "frame-src": {
            "https://js.stripe.com",
            "https://*.js.stripe.com",
            "https://hooks.stripe.com",
        },
        "form-action": set(),
        "frame-ancestors": set(),
        "base-uri": set(),
        "object-src": set(),
    }
    assert "'unsafe-inline'" not in page.headers["content-security-policy"]
    # What the browser posts: Stripe's PaymentMethod id, which goes to identity as it is.
    platform.identity.answers["AddCard"] = VISA
    added = post_form(stripe_client, "/cards/add", {"payment_method": "pm_1Abc", **BILLING})
    assert added.status_code == 303
    assert calls(platform.identity, "AddCard")[0].payment_method == "pm_1Abc"


def test_stripe_elements_without_a_publishable_key_does_not_start() -> None:
    with pytest.raises(ValueError, match="KINLINK_STRIPE_PUBLISHABLE_KEY"):
        create_app(portal_settings(card_entry="stripe_elements"))

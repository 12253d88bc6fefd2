"""The messaging subscription's page: each state said, refill offered only once the balance is
used up, the ledger's refusals said in the visitor's language, and the bank's check of a funding
(3-D Secure) presented by the portal's stand-in bank or by Stripe.js."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import kinlink_portal
import pytest
from kinlink.ledger.v1 import ledger_pb2 as pb
from kinlink_kit.errors import FailedPrecondition
from kinlink_kit.errors import NotFound
from kinlink_portal.i18n import use_language
from kinlink_portal.sentences import GENERIC
from kinlink_portal.sentences import SENTENCES
from kinlink_portal.sentences import sentence
from starlette.testclient import TestClient

from tests.portal_web import csrf_of
from tests.unit.portal.conftest import StandInIdentity
from tests.unit.portal.conftest import post_form
from tests.unit.portal.conftest import refusal
from tests.unit.portal.family import MASTERCARD
from tests.unit.portal.family import Bank
from tests.unit.portal.family import family_portal
from tests.unit.portal.family import wallet

SECRET = "pi_sim_0123_secret_sim"
# The codes the ledger and identity refuse the subscription's, allowances' and histories'
# requests with, and the reasons a card is not charged.
NEW_CODES = (
    "subscription_not_found",
    "subscription_card_missing",
    "subscription_already_active",
    "subscription_not_active",
    "wallet_not_depleted",
    "funding_in_progress",
    "no_funding_in_progress",
    "charge_outcome_unknown",
    "charge_processing",
    "facility_id_missing",
    "funding_amount_missing",
    "funding_amount_not_offered",
    "insufficient_credit",
    "card_not_found",
    "card_declined",
    "insufficient_funds",
    "expired_card",
    "payer_authentication_failed",
    "payer_authentication_unavailable",
    "payment_refused",
    "prepaid_not_supported",
    "card_brand_not_accepted",
    "limit_exceeded",
    "quote_expired",
    "allowance_not_found",
    "amount_not_positive",
    "resident_id_missing",
    "payment_method_not_found",
    "end_outcome_unknown",
    "processor_unavailable",
)


@pytest.fixture
def ledger() -> StandInIdentity:
    return StandInIdentity()


@pytest.fixture
def bank() -> Bank:
    return Bank()


@pytest.fixture
def family(identity: StandInIdentity, ledger: StandInIdentity, bank: Bank) -> Iterator[TestClient]:
    """Ana, logged in, in a portal whose simulated bank answers for her card."""
    yield from family_portal(identity, ledger, bank)


def state_of(page: str) -> str:
    found = re.search(r'data-state="([a-z_]+)"', page)
    assert found, "the page says no state"
    return found.group(1)


def has_refill(page: str) -> bool:
    return 'action="/messaging/refill"' in page


def test_before_it_is_set_up_the_page_offers_to_set_it_up(
    family: TestClient, ledger: StandInIdentity
) -> None:
    ledger.answers["GetWallet"] = refusal(NotFound("subscription_not_found", "None."))
    page = family.get("/messaging").text
    assert state_of(page) == "not_set_up"
    assert 'href="/messaging/set-up"' in page and not has_refill(page)


@pytest.mark.parametrize(
    ("answer", "state", "refill"),
    [
        (wallet(700), "active", False),
        (wallet(0), "depleted", True),
        (wallet(300, active=False), "disabled", False),
        (wallet(0, active=False), "disabled", False),
        (wallet(0, funding=True), "funding", False),
    ],
)
def test_each_state_is_said_and_refill_is_offered_only_when_used_up(
    family: TestClient, ledger: StandInIdentity, answer: pb.Wallet, state: str, refill: bool
) -> None:
    ledger.answers["GetWallet"] = answer
    page = family.get("/messaging").text
    assert state_of(page) == state
    assert has_refill(page) is refill
    assert ("data-refill-explained" in page) is (state == "active")
    assert "Visa ending in 4242" in page  # the card that funds it, from identity


def test_a_refused_refill_is_said_in_the_visitors_language(
    family: TestClient, ledger: StandInIdentity
) -> None:
    ledger.answers["GetWallet"] = wallet(700)
    ledger.answers["RefillSubscription"] = refusal(
        FailedPrecondition("wallet_not_depleted", "$7.00 is left.")
    )
    family.cookies.set("kinlink_language", "es")
    token = csrf_of(family.get("/messaging").text)
    refused = family.post("/messaging/refill", data={"csrf_token": token})
    assert refused.status_code == 400
    assert "Solo puede recargar su suscripción de mensajería cuando su saldo" in refused.text


def test_setting_up_charges_the_amount_chosen_at_the_facility_chosen(
    family: TestClient, ledger: StandInIdentity
) -> None:
    ledger.answers["SetUpSubscription"] = pb.FundingResult(
        status=pb.FUNDING_STATUS_FUNDED, wallet=wallet(2500)
    )
    amounts = family.get("/messaging/set-up?facility_id=FAC-DEMO").text
    assert "$15.00" in amounts and "$25.00" in amounts
    done = post_form(
        family,
        "/messaging/set-up?facility_id=FAC-DEMO",
        {"facility_id": "FAC-DEMO", "funding_amount_cents": "2500"},
    )
    assert done.headers["location"] == "/messaging?notice=funded"
    asked = [call[1] for call in ledger.calls if call[0] == "SetUpSubscription"]
    assert [(a.facility_id, a.funding_amount_cents) for a in asked] == [("FAC-DEMO", 2500)]


def test_setting_up_without_a_marked_card_says_to_mark_one(
    family: TestClient, ledger: StandInIdentity
) -> None:
    ledger.answers["SetUpSubscription"] = refusal(
        FailedPrecondition("subscription_card_missing", "Mark a card.")
    )
    refused = post_form(
        family,
        "/messaging/set-up?facility_id=FAC-DEMO",
        {"facility_id": "FAC-DEMO", "funding_amount_cents": "1500"},
    )
    assert refused.status_code == 400
    assert "Mark one of your cards to fund your messaging subscription first" in refused.text
    assert 'href="/cards"' in refused.text


def test_an_amount_not_chosen_is_said_beside_the_amounts(family: TestClient) -> None:
    refused = post_form(
        family, "/messaging/set-up?facility_id=FAC-DEMO", {"facility_id": "FAC-DEMO"}
    )
    assert refused.status_code == 400
    assert '<p class="field-error" id="funding_amount_cents-error">' in refused.text


def test_a_funding_the_bank_must_confirm_goes_through_the_stand_in_bank(
    family: TestClient, ledger: StandInIdentity, bank: Bank
) -> None:
    ledger.answers["GetWallet"] = wallet(0)
    ledger.answers["RefillSubscription"] = pb.FundingResult(
        status=pb.FUNDING_STATUS_REQUIRES_AUTHENTICATION,
        authentication=SECRET,
        wallet=wallet(0, funding=True),
    )
    ledger.answers["CompleteFunding"] = pb.FundingResult(
        status=pb.FUNDING_STATUS_FUNDED, wallet=wallet(1500)
    )
    token = csrf_of(family.get("/messaging").text)
    refilled = family.post("/messaging/refill", data={"csrf_token": token}, follow_redirects=False)
    assert refilled.headers["location"] == "/messaging/authenticate"
    challenge = family.get("/messaging/authenticate").text
    assert 'value="approve"' in challenge and "js.stripe.com" not in challenge
    assert not [c for c in ledger.calls if c[0] == "CompleteFunding"]  # not before the bank
    approved = family.post(
        "/messaging/authenticate",
        data={"csrf_token": token, "answer": "approve"},
        follow_redirects=False,
    )
    assert bank.answers == [(SECRET, True)]
    assert [c[0] for c in ledger.calls].count("CompleteFunding") == 1
    assert approved.headers["location"] == "/messaging?notice=funded"


def test_a_payment_the_bank_refused_is_said_and_not_charged(
    family: TestClient, ledger: StandInIdentity, bank: Bank
) -> None:
    ledger.answers["GetWallet"] = wallet(0)
    ledger.answers["RefillSubscription"] = pb.FundingResult(
        status=pb.FUNDING_STATUS_REQUIRES_AUTHENTICATION, authentication=SECRET
    )
    ledger.answers["CompleteFunding"] = pb.FundingResult(
        status=pb.FUNDING_STATUS_FAILED,
        failure_reason="payer_authentication_failed",
        wallet=wallet(0),
    )
    token = csrf_of(family.get("/messaging").text)
    family.post("/messaging/refill", data={"csrf_token": token})
    page = family.post(
        "/messaging/authenticate", data={"csrf_token": token, "answer": "refuse"}
    ).text
    assert bank.answers == [(SECRET, False)]
    assert "Your bank did not confirm the payment, so your card was not charged" in page


@pytest.fixture
def with_stripe(identity: StandInIdentity, ledger: StandInIdentity) -> Iterator[TestClient]:
    yield from family_portal(identity, ledger, stripe_publishable_key="pk_test_kinlink")


def test_with_stripe_the_banks_check_is_presented_by_stripe_js(
    with_stripe: TestClient, ledger: StandInIdentity
) -> None:
    ledger.answers["GetWallet"] = wallet(0)
    ledger.answers["RefillSubscription"] = pb.FundingResult(
        status=pb.FUNDING_STATUS_REQUIRES_AUTHENTICATION, authentication=SECRET
    )
    token = csrf_of(with_stripe.get("/messaging").text)
    with_stripe.post("/messaging/refill", data={"csrf_token": token})
    challenge = with_stripe.get("/messaging/authenticate")
    page = challenge.text
    assert '<script src="https://js.stripe.com/v3/"></script>' in page
    assert '<script src="/static/payer_authentication.js" defer></script>' in page
    assert f'data-client-secret="{SECRET}"' in page and 'data-stripe-key="pk_test_kinlink"' in page
    # The script sends this form once Stripe.js is done; without script, the visitor does.
    assert 'id="payer-authentication-done"' in page and 'action="/messaging/complete"' in page
    assert 'value="approve"' not in page
    policy = challenge.headers["content-security-policy"]
    sources = dict(directive.strip().split(" ", 1) for directive in policy.split(";"))
    assert "https://js.stripe.com" in sources["script-src"].split()
    assert {"https://js.stripe.com", "https://hooks.stripe.com"} <= set(
        sources["frame-src"].split()
    )
    assert "'unsafe-inline'" not in policy


def test_without_stripe_no_page_may_load_stripes_script(family: TestClient) -> None:
    assert "stripe" not in family.get("/healthz").headers["content-security-policy"]


def test_the_script_hands_the_client_secret_to_stripe_and_then_completes() -> None:
    script = (
        Path(kinlink_portal.__file__).parent / "static" / "payer_authentication.js"
    ).read_text()
    assert "stripe.handleNextAction({ clientSecret: place.dataset.clientSecret })" in script
    assert script.index("handleNextAction") < script.index("done.submit()")


def test_choosing_another_card_asks_identity_to_mark_it(
    family: TestClient, identity: StandInIdentity, ledger: StandInIdentity
) -> None:
    ledger.answers["GetWallet"] = wallet(700)
    identity.answers["EditCard"] = MASTERCARD
    page = family.get("/messaging").text
    assert 'value="card-2"' in page and 'value="card-1"' not in page  # only the others
    token = csrf_of(page)
    chosen = family.post(
        "/messaging/card",
        data={"csrf_token": token, "card_id": "card-2"},
        follow_redirects=False,
    )
    assert chosen.headers["location"] == "/messaging?notice=card_chosen"
    edit = next(call[1] for call in identity.calls if call[0] == "EditCard")
    assert (edit.card_id, list(edit.fields), edit.fund_messaging_subscription) == (
        "card-2",
        ["fund_messaging_subscription"],
        True,
    )


@pytest.mark.parametrize("code", NEW_CODES)
@pytest.mark.parametrize("language", ["en", "es"])
def test_every_new_refusal_has_its_own_sentence_in_english_and_spanish(
    code: str, language: str
) -> None:
    use_language(language)
    try:
        said = sentence(code)
        assert code in SENTENCES
        assert said and said != sentence("a code nobody has")
        if language == "es":
            assert said != SENTENCES[code]  # translated, not the English again
        assert said != GENERIC
    finally:
        use_language("en")

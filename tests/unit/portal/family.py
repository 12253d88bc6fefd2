"""A family member logged in to the portal, its identity and ledger stand-ins answering, and
the stand-in bank of the simulated card processor: what the pages of money are tested with."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from google.protobuf.timestamp_pb2 import Timestamp
from kinlink.identity.v1 import identity_pb2 as identity_pb
from kinlink.ledger.v1 import ledger_pb2 as pb
from kinlink_portal.app import create_app
from starlette.testclient import TestClient

from tests.unit.portal.conftest import StandInIdentity
from tests.unit.portal.conftest import StandInServices
from tests.unit.portal.conftest import portal_settings
from tests.unit.portal.conftest import post_form

NOW = 1_800_000_000
VISA = identity_pb.Card(
    card_id="card-1",
    brand="visa",
    last4="4242",
    funds_messaging_subscription=True,
    payment_method="pm_card_visa",
)
MASTERCARD = identity_pb.Card(
    card_id="card-2", brand="mastercard", last4="4444", payment_method="pm_card_mastercard"
)
FACILITY = identity_pb.Facility(
    facility_id="FAC-DEMO",
    settings=identity_pb.FacilitySettings(
        name="Demo County Jail",
        time_zone="America/Chicago",
        messaging_funding_options_cents=[1500, 2500],
    ),
)


def wallet(balance: int, *, active: bool = True, funding: bool = False) -> pb.Wallet:
    return pb.Wallet(
        subscription_active=active,
        facility_id="FAC-DEMO",
        funding_amount_cents=1500,
        balance_cents=balance,
        funded_cents=balance,
        funding_in_progress=funding,
    )


class Bank:
    """The stand-in bank: the payers' answers the portal passed on."""

    def __init__(self) -> None:
        self.answers: list[tuple[str, bool]] = []

    def __call__(self, authentication: str, *, passed: bool) -> None:
        self.answers.append((authentication, passed))


def family_portal(
    identity: StandInIdentity, ledger: StandInIdentity, bank: Bank | None = None, **settings: Any
) -> Iterator[TestClient]:
    """Ana logged in, with two cards (the Visa funds her subscription) and FAC-DEMO known."""
    app = create_app(portal_settings(secure_cookies=False, **settings), card_issuer=bank)
    with TestClient(app) as client:
        app.state.services = StandInServices(identity, ledger=ledger)
        identity.answers["LogIn"] = identity_pb.Session(
            access_token="family",
            access_token_expires_at=Timestamp(seconds=NOW + 10**9),
            account=identity_pb.Account(first_name="Ana", roles=["family_member"]),
        )
        identity.answers["ListCards"] = identity_pb.ListCardsResponse(cards=[VISA, MASTERCARD])
        identity.answers["ListFacilities"] = identity_pb.ListFacilitiesResponse(
            facilities=[FACILITY]
        )
        post_form(client, "/log-in", {"email": "ana@example.com", "password": "a-password"})
        yield client

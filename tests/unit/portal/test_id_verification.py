"""ID verification before activation: the activation link leads to the documents' form when
the facility requires it; the documents go with the link's token; refusals are said beside
their fields; the SSN is never shown back. At sign-up the family member names their facility."""

from __future__ import annotations

from kinlink.identity.v1 import identity_pb2 as pb
from kinlink_kit.errors import FailedPrecondition
from kinlink_kit.errors import InvalidArgument
from starlette.testclient import TestClient

from tests.portal_web import csrf_of
from tests.unit.portal.conftest import SIGN_UP
from tests.unit.portal.conftest import StandInIdentity
from tests.unit.portal.conftest import error_beside
from tests.unit.portal.conftest import post_form
from tests.unit.portal.conftest import refusal

DOCUMENTS = {
    "legal_first_name": "Ana",
    "legal_last_name": "Lopez",
    "date_of_birth": "1980-04-30",
    "address.line1": "1 Main St",
    "address.city": "Chicago",
    "address.region": "IL",
    "address.postal_code": "60601",
    "address.country": "US",
    "ssn": "321-54-9876",
}


def documents_sent(identity: StandInIdentity) -> list[object]:
    return [request for name, request, _ in identity.calls if name == "SubmitIdVerification"]


def submit(portal: TestClient, documents: dict[str, str], token: str = "the-token") -> object:
    path = f"/verify-identity?token={token}"
    form = portal.get(path).text
    assert f'name="activation_token" value="{token}"' in form
    data = {**documents, "activation_token": token, "csrf_token": csrf_of(form)}
    return portal.post("/verify-identity", data=data, follow_redirects=False)


def test_the_activation_link_leads_to_verification_when_the_facility_requires_it(
    portal: TestClient, identity: StandInIdentity
) -> None:
    identity.answers["Activate"] = refusal(
        FailedPrecondition("id_verification_required", "verify first")
    )
    page = portal.get("/activate?token=the-token").text
    answer = portal.post(
        "/activate",
        data={"token": "the-token", "csrf_token": csrf_of(page)},
        follow_redirects=False,
    )
    assert answer.status_code == 303
    assert answer.headers["location"] == "/verify-identity?token=the-token"


def test_verified_documents_activate_the_account(
    portal: TestClient, identity: StandInIdentity
) -> None:
    identity.answers["SubmitIdVerification"] = pb.Account(account_id="A-1")
    answer = submit(portal, DOCUMENTS)
    assert answer.headers["location"] == "/log-in?notice=activated"  # type: ignore[attr-defined]
    address = {
        key.removeprefix("address."): value for key, value in DOCUMENTS.items() if "." in key
    }
    assert documents_sent(identity) == [
        pb.SubmitIdVerificationRequest(
            legal_first_name="Ana",
            legal_last_name="Lopez",
            date_of_birth="1980-04-30",
            address=pb.PostalAddress(**address),
            ssn="321-54-9876",
            activation_token="the-token",
        )
    ]


def test_a_refusal_is_said_beside_its_field_and_the_ssn_is_never_shown_back(
    portal: TestClient, identity: StandInIdentity
) -> None:
    identity.answers["SubmitIdVerification"] = refusal(
        InvalidArgument("under_age", "too young", field="date_of_birth")
    )
    answer = submit(portal, DOCUMENTS)
    page = answer.text  # type: ignore[attr-defined]
    assert answer.status_code == 400  # type: ignore[attr-defined]
    assert error_beside(page, "date_of_birth") == "You must be 18 or older to send money."
    assert "321-54-9876" not in page and "9876" not in page
    assert 'value="Lopez"' in page
    assert 'id="ssn" name="ssn" type="text" value="" autocomplete="off"' in page


def test_empty_documents_are_named_before_asking_identity(
    portal: TestClient, identity: StandInIdentity
) -> None:
    answer = submit(portal, {"legal_first_name": "Ana", "address.country": "US"})
    page = answer.text  # type: ignore[attr-defined]
    assert error_beside(page, "ssn") == "Enter your Social Security number."
    assert error_beside(page, "date_of_birth") == "Enter your date of birth."
    assert error_beside(page, "address.city") == "Enter the city."
    assert documents_sent(identity) == []


def test_a_spent_link_is_said_at_the_top_with_a_way_to_a_new_one(
    portal: TestClient, identity: StandInIdentity
) -> None:
    identity.answers["SubmitIdVerification"] = refusal(
        InvalidArgument("token_invalid", "used", field="activation_token")
    )
    page = submit(portal, DOCUMENTS).text  # type: ignore[attr-defined]
    assert "This link is not valid or was already used." in page
    assert 'href="/resend-activation"' in page


def test_the_family_member_names_their_facility_at_sign_up(
    portal: TestClient, identity: StandInIdentity
) -> None:
    identity.answers["ListFacilities"] = pb.ListFacilitiesResponse(
        facilities=[pb.Facility(facility_id="FAC-X", settings=pb.FacilitySettings(name="X Jail"))]
    )
    identity.answers["Register"] = pb.Account(email=SIGN_UP["email"])
    page = portal.get("/sign-up").text
    assert '<option value="FAC-X">X Jail</option>' in page
    post_form(
        portal, "/sign-up", {**SIGN_UP, "password": "a long password", "facility_id": "FAC-X"}
    )
    registered = [request for name, request, _ in identity.calls if name == "Register"]
    assert [request.facility_id for request in registered] == ["FAC-X"]  # type: ignore[attr-defined]

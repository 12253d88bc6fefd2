"""Staff accounts in the console: an operator creates one (roles and facilities ticked, each
refusal beside its field), lists the staff accounts and closes one by its button; no one else
may."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from kinlink.identity.v1 import identity_pb2 as pb
from kinlink_kit.errors import FailedPrecondition
from kinlink_kit.errors import InvalidArgument
from starlette.testclient import TestClient

from tests.unit.portal.conftest import StandInIdentity
from tests.unit.portal.conftest import error_beside
from tests.unit.portal.conftest import post_form
from tests.unit.portal.conftest import refusal
from tests.unit.portal.conftest import staff_portal

FACILITIES = pb.ListFacilitiesResponse(
    facilities=[pb.Facility(facility_id="FAC-EAST", settings=pb.FacilitySettings(name="East"))]
)
NEW = {
    "email": "olive@example.com",
    "password": "a long officer password",
    "first_name": "Olive",
    "last_name": "Officer",
}


@pytest.fixture
def operator(identity: StandInIdentity) -> Iterator[TestClient]:
    identity.answers["ListFacilities"] = FACILITIES
    identity.answers["ListStaffAccounts"] = pb.ListStaffAccountsResponse()
    yield from staff_portal(identity, pb.Account(first_name="Oscar", roles=["operator"]))


def requests_of(identity: StandInIdentity, method: str) -> list[object]:
    return [request for name, request, _ in identity.calls if name == method]


def test_an_operator_creates_an_officers_account(
    operator: TestClient, identity: StandInIdentity
) -> None:
    identity.answers["CreateStaffAccount"] = pb.Account(account_id="A-9", email=NEW["email"])
    page = operator.get("/console/staff").text
    assert 'value="FAC-EAST"' in page and 'value="facility_officer"' in page
    answer = post_form(
        operator,
        "/console/staff",
        {**NEW, "roles": "facility_officer", "facility_ids": "FAC-EAST"},
    )
    assert answer.status_code == 303
    assert requests_of(identity, "CreateStaffAccount") == [
        pb.CreateStaffAccountRequest(**NEW, roles=["facility_officer"], facility_ids=["FAC-EAST"])
    ]
    shown = operator.get(answer.headers["location"]).text
    assert "The account of olive@example.com is created." in shown and "A-9" in shown


def test_a_refusal_is_said_beside_its_field_and_the_ticks_are_kept(
    operator: TestClient, identity: StandInIdentity
) -> None:
    identity.answers["CreateStaffAccount"] = refusal(
        InvalidArgument("facility_required", "which?", field="facility_ids")
    )
    answer = post_form(operator, "/console/staff", {**NEW, "roles": "facility_officer"})
    assert answer.status_code == 400
    assert error_beside(answer.text, "facility_ids") == (
        "Tick the facilities an officer or integration acts for."
    )
    assert 'value="facility_officer" checked' in answer.text
    assert NEW["password"] not in answer.text  # a password is never shown again


def test_empty_fields_are_named_before_asking_identity(
    operator: TestClient, identity: StandInIdentity
) -> None:
    answer = post_form(operator, "/console/staff", {"roles": "auditor"})
    assert error_beside(answer.text, "email") == "Enter their email address."
    assert error_beside(answer.text, "last_name") == "Enter their last name."
    assert requests_of(identity, "CreateStaffAccount") == []


def test_an_operator_closes_a_staff_account(
    operator: TestClient, identity: StandInIdentity
) -> None:
    identity.answers["CloseStaffAccount"] = pb.Account(account_id="A-9")
    answer = post_form(operator, "/console/staff/close", {"account_id": "A-9"})
    assert answer.headers["location"] == "/console/staff?notice=closed"
    assert requests_of(identity, "CloseStaffAccount") == [
        pb.CloseStaffAccountRequest(account_id="A-9")
    ]
    assert "The staff account is closed" in operator.get(answer.headers["location"]).text


def test_a_family_account_is_not_closed_here(
    operator: TestClient, identity: StandInIdentity
) -> None:
    identity.answers["CloseStaffAccount"] = refusal(
        FailedPrecondition("not_a_staff_account", "family", field="account_id")
    )
    answer = post_form(operator, "/console/staff/close", {"account_id": "A-1"})
    assert answer.status_code == 400
    assert "This is a family member&#39;s account, not a staff account." in answer.text


def test_an_operator_sees_each_staff_account_with_its_close_button(
    operator: TestClient, identity: StandInIdentity
) -> None:
    identity.answers["ListStaffAccounts"] = pb.ListStaffAccountsResponse(
        accounts=[
            pb.Account(account_id="A-1", email="olive@example.com", first_name="Olive",
                       last_name="Officer", roles=["facility_officer"], facility_ids=["FAC-EAST"],
                       status=pb.ACCOUNT_STATUS_ACTIVE),
            pb.Account(account_id="A-2", email="otto@example.com", first_name="Otto",
                       last_name="Gone", roles=["operator"], status=pb.ACCOUNT_STATUS_CLOSED),
        ],
        next_page_token="T2",
    )  # fmt: skip
    page = operator.get("/console/staff/close").text
    assert requests_of(identity, "ListStaffAccounts") == [pb.ListStaffAccountsRequest(page_size=50)]
    assert "olive@example.com" in page and "FAC-EAST" in page and "Facility officer" in page
    assert 'name="account_id" value="A-1"' in page
    assert 'value="A-2"' not in page  # closed already: no button
    assert 'aria-label="Close the account of Olive Officer"' in page
    assert 'href="?page=T2"' in page


@pytest.mark.parametrize("path", ["/console/staff", "/console/staff/close"])
def test_only_operators_manage_staff_accounts(identity: StandInIdentity, path: str) -> None:
    officer = pb.Account(roles=["facility_officer"], facility_ids=["FAC-EAST"])
    for client in staff_portal(identity, officer):
        assert client.get(path).status_code == 403


def test_the_console_links_to_staff_accounts_for_operators_only(identity: StandInIdentity) -> None:
    identity.answers["ListFacilities"] = FACILITIES
    for role, linked in (("operator", True), ("auditor", False)):
        for client in staff_portal(identity, pb.Account(roles=[role])):
            assert ('href="/console/staff"' in client.get("/console").text) is linked

"""The console's residents: an officer books, transfers and releases the residents of the
facilities in their care; each refusal is said beside its field, and another facility's
residents are out of reach."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from kinlink.identity.v1 import identity_pb2 as pb
from kinlink_kit.errors import AlreadyExists
from kinlink_kit.errors import FailedPrecondition
from kinlink_kit.errors import InvalidArgument
from kinlink_kit.errors import PermissionDenied
from starlette.testclient import TestClient

from tests.unit.portal.conftest import StandInIdentity
from tests.unit.portal.conftest import error_beside
from tests.unit.portal.conftest import post_form
from tests.unit.portal.conftest import refusal
from tests.unit.portal.conftest import staff_portal

EAST, WEST = "FAC-EAST", "FAC-WEST"
RESIDENTS = f"/console/facilities/{EAST}/residents"
FACILITIES = pb.ListFacilitiesResponse(
    facilities=[
        pb.Facility(facility_id=EAST, settings=pb.FacilitySettings(name="East Jail")),
        pb.Facility(facility_id=WEST, settings=pb.FacilitySettings(name="West Prison")),
    ]
)


def staff_in_east(identity: StandInIdentity, *roles: str) -> Iterator[TestClient]:
    identity.answers |= {
        "GetFacility": FACILITIES.facilities[0],
        "ListFacilities": FACILITIES,
        "ListResidents": pb.ListResidentsResponse(),
    }
    account = pb.Account(first_name="Olive", roles=roles, facility_ids=[EAST])
    yield from staff_portal(identity, account)


@pytest.fixture
def officer(identity: StandInIdentity) -> Iterator[TestClient]:
    """Olive, an officer of East Jail."""
    yield from staff_in_east(identity, "facility_officer")


def calls_of(identity: StandInIdentity, method: str) -> list[object]:
    return [request for name, request, _ in identity.calls if name == method]


def test_a_booking_names_every_empty_field_without_asking_identity(
    officer: TestClient, identity: StandInIdentity
) -> None:
    answer = post_form(officer, f"/console/facilities/{EAST}/book", {"first_name": "Ada"})
    assert answer.status_code == 400
    assert error_beside(answer.text, "resident_id") == "Enter the resident's ID number."
    assert error_beside(answer.text, "last_name") == "Enter the resident's last name."
    assert 'id="first_name-error"' not in answer.text
    assert calls_of(identity, "BookResident") == []


def test_an_officer_books_a_resident_at_their_facility(
    officer: TestClient, identity: StandInIdentity
) -> None:
    identity.answers["BookResident"] = pb.Resident(facility_id=EAST, resident_id="R-7")
    booking = {"resident_id": "R-7", "first_name": "Ada", "last_name": "Byron"}
    answer = post_form(officer, f"/console/facilities/{EAST}/book", booking)
    assert answer.status_code == 303
    assert answer.headers["location"] == f"{RESIDENTS}?notice=booked"
    assert calls_of(identity, "BookResident") == [
        pb.BookResidentRequest(facility_id=EAST, **booking)
    ]
    page = officer.get(answer.headers["location"]).text
    assert "The resident is booked. Families can find them now." in page


def test_a_resident_already_held_is_refused_beside_the_id(
    officer: TestClient, identity: StandInIdentity
) -> None:
    identity.answers["BookResident"] = refusal(
        AlreadyExists("resident_already_booked", "held", field="resident_id")
    )
    booking = {"resident_id": "R-7", "first_name": "Ada", "last_name": "Byron"}
    answer = post_form(officer, f"/console/facilities/{EAST}/book", booking)
    assert answer.status_code == 400
    assert error_beside(answer.text, "resident_id") == (
        "A resident with this ID number is already held there."
    )
    assert 'value="Byron"' in answer.text  # what was typed is kept


def test_a_transfer_outside_the_officers_care_is_refused_beside_the_destination(
    officer: TestClient, identity: StandInIdentity
) -> None:
    identity.answers["TransferResident"] = refusal(
        PermissionDenied("to_facility_out_of_scope", "not yours", field="to_facility_id")
    )
    path = f"{RESIDENTS}/R-7/transfer"
    form = officer.get(path).text
    assert f'<option value="{WEST}">West Prison</option>' in form
    assert f'<option value="{EAST}"' not in form  # not to where the resident already is
    answer = post_form(officer, path, {"to_facility_id": WEST})
    assert answer.status_code == 400
    assert error_beside(answer.text, "to_facility_id").startswith(
        "This facility is not one of yours"
    )
    assert calls_of(identity, "TransferResident") == [
        pb.TransferResidentRequest(facility_id=EAST, resident_id="R-7", to_facility_id=WEST)
    ]


def test_a_transfer_needs_a_destination(officer: TestClient, identity: StandInIdentity) -> None:
    answer = post_form(officer, f"{RESIDENTS}/R-7/transfer", {"to_resident_id": "B-1"})
    assert (
        error_beside(answer.text, "to_facility_id") == "Choose the facility the resident goes to."
    )
    assert calls_of(identity, "TransferResident") == []


def test_an_officer_releases_a_resident(officer: TestClient, identity: StandInIdentity) -> None:
    identity.answers["ReleaseResident"] = pb.Resident(facility_id=EAST, resident_id="R-7")
    answer = post_form(officer, f"{RESIDENTS}/R-7/release", {})
    assert answer.headers["location"] == f"{RESIDENTS}?notice=released"
    assert calls_of(identity, "ReleaseResident") == [
        pb.ReleaseResidentRequest(facility_id=EAST, resident_id="R-7")
    ]


def test_a_release_refused_is_said_on_the_form(
    officer: TestClient, identity: StandInIdentity
) -> None:
    identity.answers["ReleaseResident"] = refusal(
        FailedPrecondition("resident_not_in_custody", "gone", field="resident_id")
    )
    answer = post_form(officer, f"{RESIDENTS}/R-7/release", {})
    assert answer.status_code == 400
    assert "This resident is no longer held at this facility." in answer.text


def test_the_residents_are_searched_at_this_facility_only(
    officer: TestClient, identity: StandInIdentity
) -> None:
    identity.answers["SearchResidents"] = pb.SearchResidentsResponse(
        residents=[pb.ResidentSummary(facility_id=EAST, resident_id="R-7", first_name="Ada",
                                      last_name="Byron")]
    )  # fmt: skip
    page = officer.get(RESIDENTS, params={"last_name": "Byro"}).text
    assert calls_of(identity, "SearchResidents") == [
        pb.SearchResidentsRequest(last_name="Byro", facility_id=EAST)
    ]
    assert "1 resident found." in page
    assert f'href="{RESIDENTS}/R-7/transfer"' in page
    assert f'href="{RESIDENTS}/R-7/release"' in page


@pytest.mark.parametrize(
    "path", [f"/console/facilities/{WEST}/residents", f"/console/facilities/{WEST}/book"]
)
def test_another_facilitys_residents_are_out_of_reach(
    officer: TestClient, identity: StandInIdentity, path: str
) -> None:
    answer = officer.get(path)
    assert answer.status_code == 403
    assert "This facility is not one of yours." in answer.text
    assert calls_of(identity, "GetFacility") == []


def test_an_auditor_sees_the_residents_but_no_way_to_change_them(
    identity: StandInIdentity,
) -> None:
    identity.answers["SearchResidents"] = pb.SearchResidentsResponse(
        residents=[pb.ResidentSummary(facility_id=EAST, resident_id="R-7", last_name="Byron")]
    )
    for auditor in staff_in_east(identity, "auditor"):
        page = auditor.get(RESIDENTS, params={"resident_id": "R-7"}).text
        assert "1 resident found." in page
        assert "/book" not in page and "/transfer" not in page


def test_the_residents_held_now_are_listed_a_page_at_a_time(
    officer: TestClient, identity: StandInIdentity
) -> None:
    identity.answers["ListResidents"] = pb.ListResidentsResponse(
        residents=[
            pb.ResidentSummary(facility_id=EAST, resident_id="R-7", first_name="Ada",
                               last_name="Byron"),
            pb.ResidentSummary(facility_id=EAST, resident_id="R-3", first_name="Mary",
                               last_name="Shelley"),
        ],
        next_page_token="T2",
    )  # fmt: skip
    page = officer.get(RESIDENTS).text
    assert calls_of(identity, "ListResidents") == [
        pb.ListResidentsRequest(
            facility_id=EAST, status=pb.RESIDENT_STATUS_IN_CUSTODY, page_size=25
        )
    ]
    assert page.index("Ada Byron") < page.index("Mary Shelley")
    assert f'href="{RESIDENTS}/R-3/release"' in page
    assert 'href="?page=T2"' in page and "First page" not in page
    identity.answers["ListResidents"] = pb.ListResidentsResponse()
    last = officer.get(RESIDENTS, params={"page": "T2"}).text
    assert calls_of(identity, "ListResidents")[-1] == pb.ListResidentsRequest(
        facility_id=EAST, status=pb.RESIDENT_STATUS_IN_CUSTODY, page_size=25, page_token="T2"
    )
    assert "No resident is held here." in last
    assert 'href="?"' in last and "Next page" not in last


def test_an_out_of_date_page_link_says_to_start_again(
    officer: TestClient, identity: StandInIdentity
) -> None:
    identity.answers["ListResidents"] = refusal(
        InvalidArgument("page_token_invalid", "stale", field="page_token")
    )
    answer = officer.get(RESIDENTS, params={"page": "stale"})
    assert answer.status_code == 400
    assert "This link to a page of the list is out of date." in answer.text

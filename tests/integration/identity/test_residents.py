"""Residents: booked, transferred and released by staff in scope, and found by families."""

from __future__ import annotations

from dataclasses import asdict

import pytest
from kinlink_contracts.demo import DEMO_FACILITIES
from kinlink_contracts.demo import DEMO_RESIDENTS
from kinlink_contracts.demo import FAC_DEMO
from kinlink_contracts.demo import FAC_EAST
from kinlink_identity.domain.facility import Facility
from kinlink_identity.domain.resident import Resident
from kinlink_identity.domain.resident import ResidentStatus
from kinlink_identity.service_layer.configure_facility import ConfigureFacility
from kinlink_identity.service_layer.configure_facility import configure_facility
from kinlink_identity.service_layer.identity import Identity
from kinlink_identity.service_layer.residents import BookResident
from kinlink_identity.service_layer.residents import ReleaseResident
from kinlink_identity.service_layer.residents import TransferResident
from kinlink_identity.service_layer.residents import book_resident
from kinlink_identity.service_layer.residents import release_resident
from kinlink_identity.service_layer.residents import transfer_resident
from kinlink_identity.service_layer.search_residents import SearchResidents
from kinlink_identity.service_layer.search_residents import search_residents
from kinlink_kit.auth import Principal
from kinlink_kit.auth import Role
from kinlink_kit.errors import AlreadyExists
from kinlink_kit.errors import FailedPrecondition
from kinlink_kit.errors import InvalidArgument
from kinlink_kit.errors import NotFound
from kinlink_kit.errors import PermissionDenied
from kinlink_kit.testing import refused

OPERATOR = Principal("operator-1", frozenset({Role.OPERATOR}))
DEMO_OFFICER = Principal("officer-1", frozenset({Role.FACILITY_OFFICER}), frozenset({FAC_DEMO}))
REGIONAL_OFFICER = Principal(
    "officer-2", frozenset({Role.FACILITY_OFFICER}), frozenset({FAC_DEMO, FAC_EAST})
)
EAST_INTEGRATION = Principal(
    "integration-1", frozenset({Role.FACILITY_INTEGRATION}), frozenset({FAC_EAST})
)


@pytest.fixture
def demo(identity: Identity) -> Identity:
    """Identity with the demo facilities configured and the demo residents booked."""
    for facility_id, settings in DEMO_FACILITIES.items():
        identity.store.save(Facility.configure(facility_id, settings))
    for resident in DEMO_RESIDENTS:
        book_resident(identity, OPERATOR, BookResident(*resident))
    return identity


def search(
    identity: Identity, last_name: str = "", resident_id: str = "", facility_id: str = ""
) -> list[tuple[str, str]]:
    found = search_residents(identity, SearchResidents(last_name, resident_id, facility_id))
    return [(r.facility_id, r.resident_id) for r in found]


def stored(identity: Identity, facility_id: str, resident_id: str) -> Resident:
    found = identity.find(Resident.create_id(facility_id, resident_id), Resident)
    assert found is not None
    return found


def test_a_booked_resident_is_in_custody_and_can_be_found(demo: Identity) -> None:
    booked = book_resident(demo, DEMO_OFFICER, BookResident(FAC_DEMO, "R-7", " Mary ", "Shelley"))
    assert (booked.status, booked.first_name, booked.last_name) == (
        ResidentStatus.IN_CUSTODY,
        "Mary",
        "Shelley",
    )
    assert search(demo, "shel") == [(FAC_DEMO, "R-7")]


def test_booking_someone_already_held_there_is_refused(demo: Identity) -> None:
    with refused(AlreadyExists, "resident_already_booked", None):
        book_resident(demo, OPERATOR, BookResident(FAC_DEMO, "R-1001", "Ada", "Lovelace"))
    # The same id at another facility is another person.
    book_resident(demo, OPERATOR, BookResident(FAC_EAST, "R-1001", "Ada", "Byron"))
    assert sorted(search(demo, resident_id="R-1001")) == [
        (FAC_DEMO, "R-1001"),
        (FAC_EAST, "R-1001"),
    ]


def test_booking_needs_a_known_facility_and_names(demo: Identity) -> None:
    with refused(NotFound, "facility_not_found", None):
        book_resident(demo, OPERATOR, BookResident("FAC-NOWHERE", "R-1", "Ann", "Other"))
    with refused(InvalidArgument, "last_name_missing", None):
        book_resident(demo, OPERATOR, BookResident(FAC_DEMO, "R-1", "Ann", "  "))
    with refused(InvalidArgument, "resident_id_missing", None):
        book_resident(demo, OPERATOR, BookResident(FAC_DEMO, "", "Ann", "Other"))


def test_officers_and_integrations_act_only_for_their_facilities(demo: Identity) -> None:
    with refused(PermissionDenied, "facility_out_of_scope", None):
        book_resident(demo, DEMO_OFFICER, BookResident(FAC_EAST, "R-9", "Ann", "Other"))
    with refused(PermissionDenied, "facility_out_of_scope", None):
        release_resident(demo, EAST_INTEGRATION, ReleaseResident(FAC_DEMO, "R-1001"))
    # An officer of the destination only may not take a resident from another facility...
    with refused(PermissionDenied, "facility_out_of_scope", None):
        transfer_resident(demo, EAST_INTEGRATION, TransferResident(FAC_DEMO, "R-1001", FAC_EAST))
    # ...nor one of the source only book them at a facility they do not act for.
    with refused(PermissionDenied, "to_facility_out_of_scope", None):
        transfer_resident(demo, DEMO_OFFICER, TransferResident(FAC_DEMO, "R-1001", FAC_EAST))
    assert stored(demo, FAC_DEMO, "R-1001").status is ResidentStatus.IN_CUSTODY
    book_resident(demo, EAST_INTEGRATION, BookResident(FAC_EAST, "R-9", "Ann", "Other"))
    release_resident(demo, DEMO_OFFICER, ReleaseResident(FAC_DEMO, "R-1002"))


def test_a_transfer_books_the_resident_at_the_destination(demo: Identity) -> None:
    moved = transfer_resident(
        demo, REGIONAL_OFFICER, TransferResident(FAC_DEMO, "R-1001", FAC_EAST, "E-55")
    )
    assert moved.status is ResidentStatus.TRANSFERRED
    assert (moved.transferred_to_facility_id, moved.transferred_to_resident_id) == (
        FAC_EAST,
        "E-55",
    )
    arrived = stored(demo, FAC_EAST, "E-55")
    assert (arrived.status, arrived.first_name, arrived.last_name) == (
        ResidentStatus.IN_CUSTODY,
        "Ada",
        "Lovelace",
    )
    assert search(demo, "Lovelace") == [(FAC_EAST, "E-55")]
    assert search(demo, resident_id="R-1001") == []


def test_a_transfer_keeps_the_id_unless_given_a_new_one(demo: Identity) -> None:
    transfer_resident(demo, OPERATOR, TransferResident(FAC_DEMO, "R-1002", FAC_EAST))
    assert search(demo, resident_id="R-1002") == [(FAC_EAST, "R-1002")]


def test_the_same_transfer_again_changes_nothing(demo: Identity) -> None:
    command = TransferResident(FAC_DEMO, "R-1002", FAC_EAST)
    transfer_resident(demo, OPERATOR, command)
    versions = (stored(demo, FAC_DEMO, "R-1002").version, stored(demo, FAC_EAST, "R-1002").version)
    again = transfer_resident(demo, OPERATOR, command)
    assert again.status is ResidentStatus.TRANSFERRED
    assert (
        stored(demo, FAC_DEMO, "R-1002").version,
        stored(demo, FAC_EAST, "R-1002").version,
    ) == versions


def test_transfers_that_cannot_be_made(demo: Identity) -> None:
    with refused(NotFound, "resident_not_found", None):
        transfer_resident(demo, OPERATOR, TransferResident(FAC_DEMO, "R-404", FAC_EAST))
    with refused(NotFound, "facility_not_found", None):
        transfer_resident(demo, OPERATOR, TransferResident(FAC_DEMO, "R-1001", "FAC-NOWHERE"))
    with refused(InvalidArgument, "transfer_to_same_facility", None):
        transfer_resident(demo, OPERATOR, TransferResident(FAC_DEMO, "R-1001", FAC_DEMO, "R-2"))
    # Alan Turing holds R-2001 at the destination already.
    with refused(AlreadyExists, "resident_already_booked", None):
        transfer_resident(demo, OPERATOR, TransferResident(FAC_DEMO, "R-1001", FAC_EAST, "R-2001"))
    assert stored(demo, FAC_DEMO, "R-1001").status is ResidentStatus.IN_CUSTODY
    release_resident(demo, OPERATOR, ReleaseResident(FAC_DEMO, "R-1001"))
    with refused(FailedPrecondition, "resident_not_in_custody", None):
        transfer_resident(demo, OPERATOR, TransferResident(FAC_DEMO, "R-1001", FAC_EAST))


def test_a_released_resident_is_no_longer_found_and_can_be_booked_again(demo: Identity) -> None:
    released = release_resident(demo, OPERATOR, ReleaseResident(FAC_DEMO, "R-1002"))
    assert released.status is ResidentStatus.RELEASED
    assert search(demo, "Hopper") == []
    assert search(demo, resident_id="R-1002") == []
    # Releasing again is a retry: nothing changes.
    again = release_resident(demo, OPERATOR, ReleaseResident(FAC_DEMO, "R-1002"))
    assert again.version == released.version
    rebooked = book_resident(demo, OPERATOR, BookResident(FAC_DEMO, "R-1002", "Grace", "Murray"))
    assert rebooked.status is ResidentStatus.IN_CUSTODY
    assert search(demo, "murr") == [(FAC_DEMO, "R-1002")]
    assert search(demo, "Hopper") == []


def test_releases_that_cannot_be_made(demo: Identity) -> None:
    with refused(NotFound, "resident_not_found", None):
        release_resident(demo, OPERATOR, ReleaseResident(FAC_DEMO, "R-404"))
    transfer_resident(demo, OPERATOR, TransferResident(FAC_DEMO, "R-1003", FAC_EAST))
    with refused(FailedPrecondition, "resident_not_in_custody", None):
        release_resident(demo, OPERATOR, ReleaseResident(FAC_DEMO, "R-1003"))


@pytest.mark.parametrize("last_name", ["Lov", "lo", "", "  Tur  ", "O'B"])
def test_a_search_needs_four_letters_or_an_id(demo: Identity, last_name: str) -> None:
    with refused(InvalidArgument, "last_name_too_short", None):
        search(demo, last_name)


def test_four_letters_find_names_starting_with_them_in_any_case(demo: Identity) -> None:
    book_resident(demo, OPERATOR, BookResident(FAC_EAST, "E-1", "Ann", "LOVELL"))
    book_resident(demo, OPERATOR, BookResident(FAC_EAST, "E-2", "Bob", "Glove"))
    assert search(demo, "love") == [(FAC_DEMO, "R-1001"), (FAC_EAST, "E-1")]
    assert search(demo, "LoVeLa") == [(FAC_DEMO, "R-1001")]
    assert search(demo, "ovel") == [], "the start of the last name, not any part of it"
    assert search(demo, "Love%") == [], "wildcards are letters like any other"
    assert search(demo, "Lovelaces") == []


def test_an_exact_resident_id_finds_the_resident_anywhere(demo: Identity) -> None:
    assert search(demo, resident_id="R-2001") == [(FAC_EAST, "R-2001")]
    assert search(demo, resident_id="r-2001") == []
    assert search(demo, resident_id="R-200") == [], "ids match exactly, not by their start"


def test_a_search_can_be_kept_to_one_facility(demo: Identity) -> None:
    book_resident(demo, OPERATOR, BookResident(FAC_EAST, "E-3", "Ada", "Lovelace"))
    assert search(demo, "Lovelace") == [(FAC_DEMO, "R-1001"), (FAC_EAST, "E-3")]
    assert search(demo, "Lovelace", facility_id=FAC_EAST) == [(FAC_EAST, "E-3")]
    assert search(demo, resident_id="R-2001", facility_id=FAC_DEMO) == []


def test_results_name_the_facility_and_say_nothing_of_money(demo: Identity) -> None:
    configure_facility(
        demo,
        ConfigureFacility(
            FAC_EAST,
            {**DEMO_FACILITIES[FAC_EAST].model_dump(mode="json"), "name": "East Regional Jail"},
        ),
    )
    (found,) = search_residents(demo, SearchResidents(last_name="turing"))
    assert asdict(found) == {
        "facility_id": FAC_EAST,
        "facility_name": "East Regional Jail",
        "resident_id": "R-2001",
        "first_name": "Alan",
        "last_name": "Turing",
        "status": "in_custody",
    }

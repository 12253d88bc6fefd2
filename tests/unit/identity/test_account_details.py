from __future__ import annotations

import pytest
from kinlink_identity.domain.account_details import checked_address
from kinlink_identity.domain.account_details import checked_name
from kinlink_identity.domain.account_details import checked_phone
from kinlink_identity.domain.account_details import checked_time_zone
from kinlink_kit.errors import InvalidArgument

ADDRESS = {
    "line1": " 1 Main St ",
    "line2": "",
    "city": "Springfield",
    "region": "IL",
    "postal_code": "62701",
    "country": "us",
}


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("+13125550100", "+13125550100"),
        ("+1 (312) 555-0100", "+13125550100"),
        ("+44 20.7946.0000", "+442079460000"),
    ],
)
def test_phone_numbers_in_e164_form(raw: str, expected: str) -> None:
    assert checked_phone(raw) == expected


@pytest.mark.parametrize(
    "raw", ["", "3125550100", "+0125550100", "+1312555010012345", "+1 312 CALL ME"]
)
def test_phone_numbers_without_country_code_or_digits_are_refused(raw: str) -> None:
    with pytest.raises(InvalidArgument) as refused:
        checked_phone(raw)
    assert refused.value.code == "phone_invalid"


def test_time_zones_are_iana_names() -> None:
    assert checked_time_zone(" America/Chicago ") == "America/Chicago"


@pytest.mark.parametrize("zone", ["", "America", "Mars/Olympus", "../etc/passwd"])
def test_unknown_time_zones_are_refused(zone: str) -> None:
    with pytest.raises(InvalidArgument) as refused:
        checked_time_zone(zone)
    assert refused.value.code == "time_zone_unknown"


def test_names_are_trimmed_and_required() -> None:
    assert checked_name("  Ada ", "first_name") == "Ada"
    with pytest.raises(InvalidArgument) as refused:
        checked_name("   ", "last_name")
    assert refused.value.code == "last_name_missing"
    with pytest.raises(InvalidArgument) as refused:
        checked_name("A" * 101, "first_name")
    assert refused.value.code == "first_name_too_long"


def test_addresses_are_trimmed_with_an_upper_case_country() -> None:
    assert checked_address(ADDRESS) == {**ADDRESS, "line1": "1 Main St", "country": "US"}


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"city": " "}, "address_incomplete"),
        ({"postal_code": ""}, "address_incomplete"),
        ({"country": "USA"}, "address_country_invalid"),
    ],
)
def test_incomplete_addresses_are_refused(changes: dict[str, str], code: str) -> None:
    with pytest.raises(InvalidArgument) as refused:
        checked_address({**ADDRESS, **changes})
    assert refused.value.code == code

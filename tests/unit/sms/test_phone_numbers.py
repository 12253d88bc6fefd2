"""Family phone numbers typed any usual US way become one E.164 form; anything else is refused
with `phone_number_invalid`."""

from __future__ import annotations

import pytest
from kinlink_kit.testing import refused
from kinlink_sms.domain.phone import PhoneNumberInvalid
from kinlink_sms.domain.phone import parse_phone_number


@pytest.mark.parametrize(
    "typed",
    [
        "(312) 555-0123",
        "312-555-0123",
        "312.555.0123",
        "3125550123",
        "+1 312 555 0123",
        "1-312-555-0123",
        " +13125550123 ",
    ],
)
def test_a_us_number_typed_any_usual_way_is_one_e164_number(typed: str) -> None:
    assert parse_phone_number(typed) == "+13125550123"


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "12",
        "call me",
        "(555) 123-4567",  # no such area code
        "+44 20 7946 0958",  # not a US number
        "800-555-0123",  # toll free: no SMS to a person
        "312-555-01234",  # a digit too many
    ],
)
def test_anything_else_is_refused(typed: str) -> None:
    with refused(PhoneNumberInvalid, "phone_number_invalid"):
        parse_phone_number(typed)

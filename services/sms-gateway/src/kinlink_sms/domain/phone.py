"""Family phone numbers as typed ("(312) 555-0123", "312.555.0123", "+1 312 555 0123") to the
one E.164 form every record and the carrier use."""

from __future__ import annotations

import phonenumbers
from kinlink_kit.errors import InvalidArgument

# US numbers only; landlines hide among FIXED_LINE_OR_MOBILE and are caught by the carrier.
_REGION = "US"
_TEXTABLE = frozenset(
    {phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE}
)


class PhoneNumberInvalid(InvalidArgument):
    def __init__(self) -> None:
        super().__init__("phone_number_invalid", "Enter a US mobile number, e.g. (312) 555-0123.")


def parse_phone_number(typed: str) -> str:
    """The number in E.164 ("+13125550123"), or `PhoneNumberInvalid`."""
    try:
        number = phonenumbers.parse(typed, _REGION)
    except phonenumbers.NumberParseException:
        raise PhoneNumberInvalid() from None
    if (
        not phonenumbers.is_valid_number(number)
        or phonenumbers.region_code_for_number(number) != _REGION
        or phonenumbers.number_type(number) not in _TEXTABLE
    ):
        raise PhoneNumberInvalid()
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)

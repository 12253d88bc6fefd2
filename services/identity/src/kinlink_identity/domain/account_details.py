"""What an account holder's details must look like: names, postal address, phone, time zone."""

from __future__ import annotations

import re
from zoneinfo import ZoneInfo
from zoneinfo import ZoneInfoNotFoundError

from kinlink_kit.errors import InvalidArgument

from kinlink_identity.domain.account import Address

MAX_NAME_LENGTH = 100
_PHONE_SEPARATORS = re.compile(r"[\s().-]")
# E.164: a country code and subscriber number, at most 15 digits, no leading zero.
_E164 = re.compile(r"\+[1-9]\d{7,14}")
_REQUIRED_ADDRESS_FIELDS = ("line1", "city", "region", "postal_code", "country")


def checked_name(name: str, which: str) -> str:
    """The name trimmed; refused as `<which>_missing` or `<which>_too_long`, `which` saying
    which of the holder's names it is (`first_name`, `legal_last_name`)."""
    name = name.strip()
    if not name:
        raise InvalidArgument(f"{which}_missing", "A name is required.")
    if len(name) > MAX_NAME_LENGTH:
        raise InvalidArgument(f"{which}_too_long", f"At most {MAX_NAME_LENGTH} characters.")
    return name


def checked_phone(phone: str) -> str:
    """The number in E.164 form; spaces, dots, dashes and brackets are dropped."""
    number = _PHONE_SEPARATORS.sub("", phone)
    if not _E164.fullmatch(number):
        raise InvalidArgument(
            "phone_invalid", "Give the phone number with its country code, e.g. +13125550100."
        )
    return number


def checked_time_zone(time_zone: str) -> str:
    """An IANA zone: video visits are scheduled in it (requirements: "Time Zone or Scheduling
    issues")."""
    time_zone = time_zone.strip()
    try:
        ZoneInfo(time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidArgument(
            "time_zone_unknown", "Choose a time zone such as America/Chicago."
        ) from None
    return time_zone


def checked_address(address: Address) -> Address:
    missing = [name for name in _REQUIRED_ADDRESS_FIELDS if not address.get(name, "").strip()]
    if missing:
        raise InvalidArgument("address_incomplete", f"The address needs: {', '.join(missing)}.")
    country = address["country"].strip().upper()
    if not re.fullmatch(r"[A-Z]{2}", country):
        raise InvalidArgument(
            "address_country_invalid", "Give the country as two letters, e.g. US."
        )
    return {**{name: value.strip() for name, value in address.items()}, "country": country}

"""Email addresses: the unique id of an account, compared without regard to case."""

from __future__ import annotations

from email_validator import EmailNotValidError
from email_validator import validate_email
from kinlink_kit.errors import InvalidArgument


def normalize_email(raw: str) -> str:
    """The address as stored and compared: syntax checked, lower-cased. No DNS lookup, so
    registration never depends on the network."""
    try:
        checked = validate_email(raw.strip(), check_deliverability=False)
    except EmailNotValidError as error:
        raise InvalidArgument("email_invalid", str(error)) from None
    return checked.normalized.lower()

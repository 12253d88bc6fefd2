"""ID verification ("due to Federal regulations"): the documents and the provider port.

The SSN goes to the provider and nowhere else: it is never stored, logged or put in an event, so
nothing here prints it, and no error repeats it.
"""

from __future__ import annotations

import re
from abc import ABC
from abc import abstractmethod
from dataclasses import dataclass
from dataclasses import field
from datetime import date

from kinlink_kit.errors import InvalidArgument

from kinlink_identity.domain.account import Address
from kinlink_identity.domain.account_details import checked_address
from kinlink_identity.domain.account_details import checked_name

ADULT_AGE = 18
_SSN_SEPARATORS = re.compile(r"[\s-]")
_SSN = re.compile(r"(\d{3})(\d{2})(\d{4})")


def checked_ssn(raw: str) -> str:
    """Nine digits, dashes and spaces dropped, of a form the SSA issues: area not 000, 666 or
    900-999, group not 00, serial not 0000."""
    match = _SSN.fullmatch(_SSN_SEPARATORS.sub("", raw))
    if (
        match is None
        or match[1] in ("000", "666")
        or match[1].startswith("9")
        or match[2] == "00"
        or match[3] == "0000"
    ):
        raise InvalidArgument("ssn_invalid", "That is not a valid Social Security number.")
    return match[0]


def checked_date_of_birth(raw: str, today: date) -> date:
    try:
        born = date.fromisoformat(raw.strip())
    except ValueError:
        raise InvalidArgument(
            "date_of_birth_invalid", "Give the date of birth as YYYY-MM-DD."
        ) from None
    if born > today:
        raise InvalidArgument("date_of_birth_invalid", "The date of birth is in the future.")
    age = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
    if age < ADULT_AGE:
        raise InvalidArgument("under_age", f"Account holders must be {ADULT_AGE} or older.")
    return born


@dataclass(frozen=True)
class IdDocuments:
    legal_first_name: str
    legal_last_name: str
    date_of_birth: date
    address: Address
    ssn: str = field(repr=False)

    @classmethod
    def submitted(
        cls,
        legal_first_name: str,
        legal_last_name: str,
        date_of_birth: str,
        address: Address,
        ssn: str,
        today: date,
    ) -> IdDocuments:
        """The documents as a family member typed them, checked; refused with a code naming the
        document at fault."""
        return cls(
            checked_name(legal_first_name, "legal_first_name"),
            checked_name(legal_last_name, "legal_last_name"),
            checked_date_of_birth(date_of_birth, today),
            checked_address(address),
            checked_ssn(ssn),
        )

    def __repr__(self) -> str:
        # Logged by accident, the documents still tell nothing: none of this belongs in logs.
        return "IdDocuments(<withheld>)"


@dataclass(frozen=True)
class VerificationResult:
    verified: bool
    # The provider's id for this check, for support and audits; never derived from the SSN.
    provider_reference: str


class VerificationProvider(ABC):
    @abstractmethod
    def verify(self, documents: IdDocuments) -> VerificationResult:
        """Whether the documents name a real person, who is this account's holder."""

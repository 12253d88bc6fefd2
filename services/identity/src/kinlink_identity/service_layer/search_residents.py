"""SearchResidents: families find the resident they want to send to (requirements: "Missing
Resident").

Four or more letters of the last name, or the exact resident id the facility gave them; only
residents held now, and nothing about their money.
"""

from __future__ import annotations

from dataclasses import dataclass

from kinlink_kit.errors import InvalidArgument

from kinlink_identity.adapters.resident_directory_view import MIN_LAST_NAME_LETTERS
from kinlink_identity.adapters.resident_directory_view import ResidentSummary
from kinlink_identity.service_layer.identity import Identity


@dataclass(frozen=True)
class SearchResidents:
    last_name: str = ""
    resident_id: str = ""
    # Empty: every facility.
    facility_id: str = ""


def search_residents(identity: Identity, command: SearchResidents) -> list[ResidentSummary]:
    last_name = command.last_name.strip()
    resident_id = command.resident_id.strip()
    letters = sum(character.isalpha() for character in last_name)
    if (last_name or not resident_id) and letters < MIN_LAST_NAME_LETTERS:
        raise InvalidArgument(
            "last_name_too_short",
            f"Use {MIN_LAST_NAME_LETTERS} or more letters of the resident's last name, or the "
            "resident id the facility gave you.",
        )
    return identity.residents.search(
        last_name=last_name or None,
        resident_id=resident_id or None,
        facility_id=command.facility_id.strip() or None,
    )

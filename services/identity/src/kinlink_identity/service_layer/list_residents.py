"""ListResidents: a facility's roll for the staff who act for it (officers of the facility,
operators, auditors), page by page."""

from __future__ import annotations

from dataclasses import dataclass

from kinlink_kit.auth import Principal
from kinlink_kit.paging import Page
from kinlink_kit.paging import checked_page_size
from kinlink_kit.paging import page_of
from kinlink_kit.paging import sort_key_of

from kinlink_identity.adapters.resident_directory_view import ResidentSummary
from kinlink_identity.adapters.resident_directory_view import roll_key
from kinlink_identity.domain.facility import checked_id
from kinlink_identity.domain.resident import ResidentStatus
from kinlink_identity.service_layer.identity import Identity


@dataclass(frozen=True)
class ListResidents:
    facility_id: str
    # None: every status.
    status: ResidentStatus | None
    page_size: int
    page_token: str = ""


def list_residents(
    identity: Identity, caller: Principal, command: ListResidents
) -> Page[ResidentSummary]:
    facility_id = checked_id(command.facility_id, "facility_id")
    caller.require_facility(facility_id)
    identity.facilities.settings(facility_id)  # NotFound if unknown
    page_size = checked_page_size(command.page_size)
    after = sort_key_of(command.page_token, (str, str, str))
    rows = identity.residents.roll(
        facility_id, status=command.status, after=after, limit=page_size + 1
    )
    return page_of(rows, page_size, roll_key)

"""What the commissary's pages say of the family's allowances and orders alike: the facility's
name, the resident's as identity knows them now, and times on the facility's clock."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from typing import Protocol

from starlette.requests import Request

from kinlink_portal.facilities import facilities
from kinlink_portal.pages.message_parts import resident_names


class ForResident(Protocol):
    facility_id: str
    resident_id: str


async def named_rows(request: Request, rows: Iterable[ForResident]) -> dict[str, Any]:
    """For a list: `facilities` (names, local times) and `resident_name(facility, resident)`."""
    rows = list(rows)
    return {
        "facilities": await facilities(request),
        "resident_name": await resident_names(
            request, ((row.facility_id, row.resident_id) for row in rows)
        ),
    }


async def named_one(request: Request, row: ForResident) -> dict[str, Any]:
    """For one allowance or order: its `facility` and `resident` named, and `local_time(at)`."""
    known = await facilities(request)
    named = await resident_names(request, [(row.facility_id, row.resident_id)])
    return {
        "facility": known.name(row.facility_id),
        "resident": named(row.facility_id, row.resident_id),
        "local_time": lambda at: known.local_time(at, row.facility_id),
    }

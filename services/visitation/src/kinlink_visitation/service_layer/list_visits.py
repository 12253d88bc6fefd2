"""ListVisits and ListStationDay: a family member's visits (their own), a facility's for its
staff and operators, soonest first, page by page; and one facility-local day's visits per
station, for the officers who run the stations."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from uuid import UUID

from kinlink_contracts.ids import canonical_id
from kinlink_kit.auth import Principal
from kinlink_kit.auth import Role
from kinlink_kit.errors import InvalidArgument
from kinlink_kit.paging import Page
from kinlink_kit.paging import checked_page_size
from kinlink_kit.paging import page_of
from kinlink_kit.paging import sort_key_of

from kinlink_visitation.domain.visit import Visit
from kinlink_visitation.domain.visiting_hours import VisitingHours
from kinlink_visitation.service_layer.visitation import Visitation


class FacilityIdMissing(InvalidArgument):
    def __init__(self) -> None:
        super().__init__("facility_id_missing", "Name the facility whose visits to list.")


@dataclass(frozen=True)
class ListVisits:
    facility_id: str
    resident_id: str
    upcoming_only: bool
    page_size: int
    page_token: str = ""


def list_visits(visitation: Visitation, principal: Principal, command: ListVisits) -> Page[Visit]:
    page_size = checked_page_size(command.page_size)
    after = sort_key_of(command.page_token, (str, str))
    facility_id = canonical_id(command.facility_id)
    account_id = None
    if principal.has(Role.FAMILY_MEMBER):
        account_id = UUID(principal.account_id)
    elif not facility_id:
        raise FacilityIdMissing()
    else:
        principal.require_facility(facility_id)
    listed = visitation.views.visits.page(
        account_id=account_id,
        facility_id=facility_id,
        resident_id=canonical_id(command.resident_id),
        ending_after=visitation.clock() if command.upcoming_only else None,
        limit=page_size + 1,
        after=(after[0], after[1]) if after else None,
    )
    page = page_of(listed, page_size, lambda row: (row[0], str(row[1])))
    return Page(
        [visitation.store.repository.get(key) for _, key in page.rows], page.next_page_token
    )


@dataclass(frozen=True)
class StationDay:
    facility_id: str
    day: date
    time_zone: str
    stations: dict[int, list[Visit]]  # every station, its visits by start


def station_day(
    visitation: Visitation, principal: Principal, facility_id: str, day: date
) -> StationDay:
    facility_id = canonical_id(facility_id)
    principal.require_facility(facility_id)
    settings = visitation.facilities.facility(facility_id)
    start, end = VisitingHours(settings).day_bounds(day)
    stations: dict[int, list[Visit]] = {
        station: [] for station in range(1, settings.video_stations + 1)
    }
    for key in visitation.views.visits.of_facility_between(facility_id, start, end):
        visit: Visit = visitation.store.repository.get(key)
        stations.setdefault(visit.station, []).append(visit)
    return StationDay(facility_id, day, settings.time_zone, dict(sorted(stations.items())))

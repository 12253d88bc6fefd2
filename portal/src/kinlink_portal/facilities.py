"""The facilities as the pages name them: their names, and times in their own time zone."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from babel.dates import format_datetime
from google.protobuf.timestamp_pb2 import Timestamp
from kinlink.identity.v1 import identity_pb2 as pb
from starlette.requests import Request

from kinlink_portal.i18n import current_language
from kinlink_portal.services import call
from kinlink_portal.services import services


@dataclass(frozen=True)
class Facilities:
    by_id: dict[str, pb.FacilitySettings]

    def name(self, facility_id: str) -> str:
        """Its name, or its id for one identity no longer lists."""
        found = self.by_id.get(facility_id)
        return found.name if found is not None and found.name else facility_id

    def local_time(self, at: Timestamp, facility_id: str) -> str:
        """When `at` was at the facility (its clock decides the deposit week), in the visitor's
        language, with the zone's abbreviation: e.g. Jun 2, 2025, 9:05 AM CDT."""
        found = self.by_id.get(facility_id)
        zone = ZoneInfo(found.time_zone if found is not None and found.time_zone else "UTC")
        moment = datetime.fromtimestamp(at.seconds, zone)
        return format_datetime(moment, "medium", tzinfo=zone, locale=current_language()) + (
            f" {moment.tzname()}"
        )

    def options(self) -> list[tuple[str, str]]:
        return sorted(
            ((facility_id, self.name(facility_id)) for facility_id in self.by_id),
            key=lambda option: option[1],
        )


async def facilities(request: Request) -> Facilities:
    identity = services(request).identity
    listed = await call(request, identity.ListFacilities, pb.ListFacilitiesRequest())
    return Facilities({f.facility_id: f.settings for f in listed.facilities})

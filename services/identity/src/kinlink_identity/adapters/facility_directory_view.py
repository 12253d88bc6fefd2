"""The facility directory: every facility with its current settings, for listing; single
facilities are read from the store, which is always up to date."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from kinlink_contracts.facility_settings import FacilitySettings
from kinlink_kit.errors import NotFound
from kinlink_kit.projection import Projection
from kinlink_kit.views import ViewCursor

from kinlink_identity.domain.facility import Facility
from kinlink_identity.domain.ids import facility_id_of


@dataclass(frozen=True)
class FacilityListing:
    facility_id: str
    revision: int
    settings: FacilitySettings


class FacilityDirectory(Projection):
    name = "facility_directory"
    event_types = (Facility.Configured, Facility.Reconfigured)
    ddl = """
    CREATE TABLE IF NOT EXISTS facility_directory (
        facility_key TEXT PRIMARY KEY,
        facility_id TEXT NOT NULL UNIQUE,
        version BIGINT NOT NULL,
        name TEXT NOT NULL,
        settings TEXT NOT NULL
    )
    """

    def apply(self, cursor: ViewCursor, domain_event: Any, position: int) -> None:
        row = {
            "facility_key": str(domain_event.originator_id),
            "version": domain_event.originator_version,
            "name": domain_event.settings["name"],
            "settings": json.dumps(domain_event.settings),
        }
        if isinstance(domain_event, Facility.Configured):
            cursor.execute(
                "INSERT INTO facility_directory (facility_key, facility_id, version, name, "
                "settings) VALUES (:facility_key, :facility_id, :version, :name, :settings) "
                "ON CONFLICT (facility_key) DO NOTHING",
                {**row, "facility_id": domain_event.facility_id},
            )
        else:
            cursor.execute(
                "UPDATE facility_directory SET name = :name, settings = :settings, "
                "version = :version "
                "WHERE facility_key = :facility_key AND version < :version",
                row,
            )

    def facility(self, facility_id: str) -> Facility:
        found = self.app.find(facility_id_of(facility_id), Facility)
        if found is None:
            raise NotFound("facility_not_found", f"No facility {facility_id!r}.")
        return found

    def settings(self, facility_id: str) -> FacilitySettings:
        """The facility's settings now; NotFound `facility_not_found` if there is none."""
        return self.facility(facility_id).settings

    def listing(self) -> list[FacilityListing]:
        self.catch_up()
        rows = self.views.query(
            "SELECT facility_id, version, settings FROM facility_directory ORDER BY facility_id"
        )
        return [
            FacilityListing(
                row["facility_id"],
                int(row["version"]),
                FacilitySettings.model_validate_json(row["settings"]),
            )
            for row in rows
        ]

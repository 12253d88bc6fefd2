"""The resident directory families search: residents held now, with their facility's name.

Released and transferred-away residents stay in the table (a later booking brings them back) but
are never returned. Nothing about money is kept here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kinlink_kit.eventstore import TrackedApplication
from kinlink_kit.projection import Projection
from kinlink_kit.views import ViewCursor
from kinlink_kit.views import ViewStore

from kinlink_identity.adapters.facility_directory_view import FacilityDirectory
from kinlink_identity.domain.resident import Resident
from kinlink_identity.domain.resident import ResidentStatus

# Searches need at least this many letters of the last name (requirements: "Missing Resident"), so
# that many first letters make the index key.
MIN_LAST_NAME_LETTERS = 4
# Enough for a family to pick the right person; not a way to list a facility's population.
MAX_RESULTS = 100

_UPDATE = (
    "UPDATE resident_directory SET {changes}, version = :version "
    "WHERE resident_key = :resident_key AND version < :version"
)


@dataclass(frozen=True)
class ResidentSummary:
    facility_id: str
    facility_name: str
    resident_id: str
    first_name: str
    last_name: str
    status: str


def last_name_key(last_name: str) -> str:
    """The indexed start of a lower-cased last name: an equality lookup on it uses the index on
    SQLite and on PostgreSQL whatever the collation, which a LIKE prefix does not."""
    return last_name.lower()[:MIN_LAST_NAME_LETTERS]


def _like_prefix(text: str) -> str:
    escaped = text.replace("!", "!!").replace("%", "!%").replace("_", "!_")
    return f"{escaped}%"


class ResidentDirectory(Projection):
    name = "resident_directory"
    event_types = (Resident.Booked, Resident.Rebooked, Resident.Transferred, Resident.Released)
    ddl = """
    CREATE TABLE IF NOT EXISTS resident_directory (
        resident_key TEXT PRIMARY KEY,
        version BIGINT NOT NULL,
        facility_id TEXT NOT NULL,
        resident_id TEXT NOT NULL,
        first_name TEXT NOT NULL,
        last_name TEXT NOT NULL,
        last_name_lower TEXT NOT NULL,
        last_name_key TEXT NOT NULL,
        status TEXT NOT NULL
    );
    CREATE INDEX IF NOT EXISTS resident_directory_by_last_name
        ON resident_directory (last_name_key, last_name_lower);
    CREATE INDEX IF NOT EXISTS resident_directory_by_resident_id
        ON resident_directory (resident_id);
    CREATE INDEX IF NOT EXISTS resident_directory_by_facility
        ON resident_directory (facility_id, last_name_lower, first_name, resident_id)
    """

    def __init__(
        self, app: TrackedApplication, views: ViewStore, facilities: FacilityDirectory
    ) -> None:
        super().__init__(app, views)
        # Results name the facility: joined from the facility directory's table, beside this one.
        self.facilities = facilities

    def apply(self, cursor: ViewCursor, domain_event: Any, position: int) -> None:
        key = {
            "resident_key": str(domain_event.originator_id),
            "version": domain_event.originator_version,
        }
        if isinstance(domain_event, Resident.Booked):
            cursor.execute(
                "INSERT INTO resident_directory (resident_key, version, facility_id, "
                "resident_id, first_name, last_name, last_name_lower, last_name_key, status) "
                "VALUES (:resident_key, :version, :facility_id, :resident_id, :first_name, "
                ":last_name, :last_name_lower, :last_name_key, :status) "
                "ON CONFLICT (resident_key) DO NOTHING",
                {
                    **key,
                    **self._names(domain_event),
                    "facility_id": domain_event.facility_id,
                    "resident_id": domain_event.resident_id,
                    "status": ResidentStatus.IN_CUSTODY.value,
                },
            )
        elif isinstance(domain_event, Resident.Rebooked):
            cursor.execute(
                _UPDATE.format(
                    changes="first_name = :first_name, last_name = :last_name, "
                    "last_name_lower = :last_name_lower, last_name_key = :last_name_key, "
                    "status = :status"
                ),
                {**key, **self._names(domain_event), "status": ResidentStatus.IN_CUSTODY.value},
            )
        else:
            status = (
                ResidentStatus.TRANSFERRED
                if isinstance(domain_event, Resident.Transferred)
                else ResidentStatus.RELEASED
            )
            cursor.execute(_UPDATE.format(changes="status = :status"), {**key, "status": status})

    @staticmethod
    def _names(domain_event: Any) -> dict[str, str]:
        return {
            "first_name": domain_event.first_name,
            "last_name": domain_event.last_name,
            "last_name_lower": domain_event.last_name.lower(),
            "last_name_key": last_name_key(domain_event.last_name),
        }

    def search(
        self,
        *,
        last_name: str | None = None,
        resident_id: str | None = None,
        facility_id: str | None = None,
    ) -> list[ResidentSummary]:
        """Residents held now whose last name starts with `last_name` (any case) and whose id is
        exactly `resident_id`, where given; only at `facility_id` if given. The caller checks
        that the search is narrow enough."""
        conditions, params = ["r.status = :status"], {"status": ResidentStatus.IN_CUSTODY.value}
        if last_name:
            conditions.append(
                "r.last_name_key = :last_name_key AND r.last_name_lower LIKE :pattern ESCAPE '!'"
            )
            params["last_name_key"] = last_name_key(last_name)
            params["pattern"] = _like_prefix(last_name.lower())
        if resident_id:
            conditions.append("r.resident_id = :resident_id")
            params["resident_id"] = resident_id
        if facility_id:
            conditions.append("r.facility_id = :facility_id")
            params["facility_id"] = facility_id
        return self._summaries(
            conditions,
            params,
            "r.last_name_lower, r.first_name, r.facility_id, r.resident_id",
            MAX_RESULTS,
        )

    def roll(
        self,
        facility_id: str,
        *,
        status: ResidentStatus | None,
        after: tuple[str, ...] | None,
        limit: int,
    ) -> list[ResidentSummary]:
        """Up to `limit` residents of the facility (of `status` if given) in the order of
        `roll_key`, after the resident whose key is `after` if given."""
        conditions, params = ["r.facility_id = :facility_id"], {"facility_id": facility_id}
        if status is not None:
            conditions.append("r.status = :status")
            params["status"] = status.value
        if after is not None:
            # A row value comparison: one range scan of the index on SQLite and PostgreSQL.
            conditions.append(
                "(r.last_name_lower, r.first_name, r.resident_id) > (:last, :first, :resident)"
            )
            params.update(zip(("last", "first", "resident"), after, strict=True))
        return self._summaries(
            conditions, params, "r.last_name_lower, r.first_name, r.resident_id", limit
        )

    def _summaries(
        self, conditions: list[str], params: dict[str, str], order: str, limit: int
    ) -> list[ResidentSummary]:
        self.facilities.catch_up()
        self.catch_up()
        rows = self.views.query(
            "SELECT r.facility_id, COALESCE(f.name, r.facility_id) AS facility_name, "
            "r.resident_id, r.first_name, r.last_name, r.status FROM resident_directory r "
            "LEFT JOIN facility_directory f ON f.facility_id = r.facility_id "
            f"WHERE {' AND '.join(conditions)} ORDER BY {order} LIMIT {int(limit)}",
            params,
        )
        return [ResidentSummary(**row) for row in rows]


def roll_key(resident: ResidentSummary) -> tuple[str, str, str]:
    """Where a resident stands in a facility's roll: by last name (any case), first name, id."""
    return (resident.last_name.lower(), resident.first_name, resident.resident_id)

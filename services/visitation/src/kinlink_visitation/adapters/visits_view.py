"""Every visit's place in lists: a family member's visits and a facility's (soonest first, page
by page), a facility's day per station, a resident's booked visits (when they leave), and the
visits the sweeps look at (in progress, or booked with their window over).

Rows carry each visit's version: a projector of another replica that lags behind never brings
back an older status. The lists name visits; their state is read from the store.
"""

from __future__ import annotations

from datetime import datetime
from datetime import timedelta
from typing import Any
from uuid import UUID

from kinlink_kit.projection import Projection
from kinlink_kit.views import ViewCursor
from kinlink_kit.views import instant

from kinlink_visitation.domain.visit import BOOKED
from kinlink_visitation.domain.visit import Visit
from kinlink_visitation.domain.visit import VisitStatus

# (starts at, visit key) of the last row shown: where the next page resumes.
ListKey = tuple[str, str]

_STATUS_OF = {
    Visit.Cancelled: VisitStatus.CANCELLED,
    Visit.Started: VisitStatus.IN_PROGRESS,
    Visit.Resumed: VisitStatus.IN_PROGRESS,
    Visit.Interrupted: VisitStatus.INTERRUPTED,
    Visit.Ended: VisitStatus.ENDED,
    Visit.Missed: VisitStatus.MISSED,
}
_BOOKED = tuple(status.value for status in BOOKED)


class VisitsProjection(Projection):
    name = "visitation_visits"
    event_types = (Visit.Scheduled, *_STATUS_OF)
    ddl = """
    CREATE TABLE IF NOT EXISTS visitation_visits (
        visit_key TEXT PRIMARY KEY,
        version INTEGER NOT NULL,
        account_id TEXT NOT NULL,
        facility_id TEXT NOT NULL,
        resident_id TEXT NOT NULL,
        station INTEGER NOT NULL,
        kind TEXT NOT NULL,
        status TEXT NOT NULL,
        starts_at TEXT NOT NULL,
        ends_at TEXT NOT NULL
    );
    CREATE INDEX IF NOT EXISTS visitation_visits_by_account
        ON visitation_visits (account_id, starts_at, visit_key);
    CREATE INDEX IF NOT EXISTS visitation_visits_by_facility
        ON visitation_visits (facility_id, starts_at, visit_key);
    CREATE INDEX IF NOT EXISTS visitation_visits_by_resident
        ON visitation_visits (facility_id, resident_id, status);
    CREATE INDEX IF NOT EXISTS visitation_visits_by_status
        ON visitation_visits (status, ends_at)
    """

    def apply(self, cursor: ViewCursor, domain_event: Any, position: int) -> None:
        row = {
            "visit_key": str(domain_event.originator_id),
            "version": domain_event.originator_version,
        }
        if isinstance(domain_event, Visit.Scheduled):
            visit = domain_event
            ends_at = visit.starts_at + timedelta(minutes=visit.slot_minutes)
            cursor.execute(
                "INSERT INTO visitation_visits (visit_key, version, account_id, facility_id, "
                "resident_id, station, kind, status, starts_at, ends_at) VALUES (:visit_key, "
                ":version, :account_id, :facility_id, :resident_id, :station, :kind, :status, "
                ":starts_at, :ends_at) ON CONFLICT (visit_key) DO NOTHING",
                {
                    **row,
                    "account_id": str(visit.account_id),
                    "facility_id": visit.facility_id,
                    "resident_id": visit.resident_id,
                    "station": visit.station,
                    "kind": visit.kind,
                    "status": VisitStatus.SCHEDULED.value,
                    "starts_at": instant(visit.starts_at),
                    "ends_at": instant(ends_at),
                },
            )
            return
        cursor.execute(
            "UPDATE visitation_visits SET version = :version, status = :status "
            "WHERE visit_key = :visit_key AND version < :version",
            {**row, "status": _STATUS_OF[type(domain_event)].value},
        )

    def _keys(self, where: str, params: dict[str, Any], order: str = "") -> list[UUID]:
        self.catch_up()
        rows = self.views.query(
            f"SELECT visit_key FROM visitation_visits WHERE {where} "
            f"ORDER BY {order or 'starts_at, visit_key'}",
            params,
        )
        return [UUID(row["visit_key"]) for row in rows]

    def page(
        self,
        *,
        account_id: UUID | None,
        facility_id: str | None,
        resident_id: str | None,
        ending_after: datetime | None,
        limit: int,
        after: ListKey | None = None,
    ) -> list[tuple[str, UUID]]:
        """(starts at, visit key) of the visits matching every filter given, soonest first;
        `ending_after`: only booked ones whose window ends after it (the upcoming)."""
        where, params = "1 = 1", {}
        if account_id is not None:
            where += " AND account_id = :account_id"
            params["account_id"] = str(account_id)
        if facility_id:
            where += " AND facility_id = :facility_id"
            params["facility_id"] = facility_id
        if resident_id:
            where += " AND resident_id = :resident_id"
            params["resident_id"] = resident_id
        if ending_after is not None:
            where += f" AND ends_at > :ending_after AND status IN {_in(_BOOKED, params)}"
            params["ending_after"] = instant(ending_after)
        if after is not None:
            where += (
                " AND (starts_at > :starts_at OR (starts_at = :starts_at AND visit_key > :key))"
            )
            params["starts_at"], params["key"] = after
        self.catch_up()
        rows = self.views.query(
            f"SELECT starts_at, visit_key FROM visitation_visits WHERE {where} "
            "ORDER BY starts_at, visit_key LIMIT :limit",
            {**params, "limit": limit},
        )
        return [(row["starts_at"], UUID(row["visit_key"])) for row in rows]

    def of_facility_between(self, facility_id: str, start: datetime, end: datetime) -> list[UUID]:
        """The facility's visits starting in [start, end), whatever became of them."""
        return self._keys(
            "facility_id = :facility_id AND starts_at >= :start AND starts_at < :end",
            {"facility_id": facility_id, "start": instant(start), "end": instant(end)},
        )

    def booked_of_resident(self, facility_id: str, resident_id: str) -> list[UUID]:
        """The resident's visits at the facility still booked (scheduled or in progress)."""
        params: dict[str, Any] = {"facility_id": facility_id, "resident_id": resident_id}
        return self._keys(
            f"facility_id = :facility_id AND resident_id = :resident_id "
            f"AND status IN {_in(_BOOKED, params)}",
            params,
        )

    def in_progress(self) -> list[UUID]:
        """Visits connected now or interrupted (the meter's and the window's work)."""
        params: dict[str, Any] = {}
        statuses = (VisitStatus.IN_PROGRESS.value, VisitStatus.INTERRUPTED.value)
        return self._keys(f"status IN {_in(statuses, params)}", params, "ends_at, visit_key")

    def booked_over_by(self, now: datetime) -> list[UUID]:
        """Booked visits whose window ended by `now`, the longest over first."""
        params: dict[str, Any] = {"now": instant(now)}
        return self._keys(
            f"ends_at <= :now AND status IN {_in(_BOOKED, params)}", params, "ends_at, visit_key"
        )


def _in(values: tuple[str, ...], params: dict[str, Any]) -> str:
    """`(:s0, :s1, ...)` with the values added to `params`."""
    names = [f"s{index}" for index in range(len(values))]
    params.update(zip(names, values, strict=True))
    return "(" + ", ".join(f":{name}" for name in names) + ")"

"""Taking and giving back a visit's window in the calendars of its station, its resident and its
visitor. A booking reads the three owners' calendars of every UTC day the window touches, finds
a free station, and saves them changed with the visit, in one transaction (decision 0064)."""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import replace
from datetime import datetime
from uuid import UUID

from kinlink_kit.errors import FailedPrecondition

from kinlink_visitation.domain.calendar import Calendar
from kinlink_visitation.domain.calendar import days_of
from kinlink_visitation.domain.calendar import resident_owner
from kinlink_visitation.domain.calendar import stations_owner
from kinlink_visitation.domain.calendar import visitor_owner
from kinlink_visitation.domain.visit import Visit
from kinlink_visitation.service_layer.visitation import Visitation


class NoStationFree(FailedPrecondition):
    def __init__(self) -> None:
        super().__init__(
            "no_station_free", "Every video station is taken then: choose another time."
        )


class ResidentBusy(FailedPrecondition):
    def __init__(self) -> None:
        super().__init__(
            "resident_busy", "The resident already has a visit then: choose another time."
        )


class VisitorBusy(FailedPrecondition):
    def __init__(self) -> None:
        super().__init__("visitor_busy", "You already have a visit then: choose another time.")


def _calendars(
    visitation: Visitation, owner: str, starts_at: datetime, ends_at: datetime
) -> list[Calendar]:
    """The owner's calendars of the window's days, those never written made (unsaved)."""
    return [
        visitation.find(Calendar.create_id(owner, day.isoformat()), Calendar)
        or Calendar.open(owner, day)
        for day in days_of(starts_at, ends_at)
    ]


def _taken(
    calendars: list[Calendar], starts_at: datetime, ends_at: datetime, but: UUID
) -> list[int]:
    return [
        booking.station
        for calendar in calendars
        for key, booking in calendar.bookings.items()
        if key != but and booking.overlaps(starts_at, ends_at)
    ]


@dataclass(frozen=True)
class Window:
    """The calendars a window is read from: of the facility's stations, the resident, the
    visitor (when one is asking)."""

    starts_at: datetime
    ends_at: datetime
    stations: list[Calendar]
    resident: list[Calendar]
    visitor: list[Calendar]

    @classmethod
    def read(
        cls,
        visitation: Visitation,
        facility_id: str,
        resident_id: str,
        account_id: UUID | None,
        starts_at: datetime,
        ends_at: datetime,
    ) -> Window:
        def of(owner: str) -> list[Calendar]:
            return _calendars(visitation, owner, starts_at, ends_at)

        return cls(
            starts_at,
            ends_at,
            stations=of(stations_owner(facility_id)),
            resident=of(resident_owner(facility_id, resident_id)),
            visitor=of(visitor_owner(account_id)) if account_id is not None else [],
        )

    def at(self, starts_at: datetime, ends_at: datetime) -> Window:
        """The same calendars, asked about a window within the one they were read for."""
        return replace(self, starts_at=starts_at, ends_at=ends_at)

    def stations_free(self, stations: int, but: UUID | None = None) -> list[int]:
        """The stations (1..stations) no other visit takes in the window."""
        taken = set(_taken(self.stations, self.starts_at, self.ends_at, but or _NONE))
        return [station for station in range(1, stations + 1) if station not in taken]

    def resident_free(self, but: UUID | None = None) -> bool:
        return not _taken(self.resident, self.starts_at, self.ends_at, but or _NONE)

    def visitor_free(self, but: UUID | None = None) -> bool:
        return not _taken(self.visitor, self.starts_at, self.ends_at, but or _NONE)

    def free_station(self, stations: int, visit_key: UUID) -> int:
        """The lowest station free for the visit, the resident and the visitor free too."""
        free = self.stations_free(stations, visit_key)
        if not free:
            raise NoStationFree()
        if not self.resident_free(visit_key):
            raise ResidentBusy()
        if not self.visitor_free(visit_key):
            raise VisitorBusy()
        return free[0]

    def book(self, visit: Visit) -> list[Calendar]:
        """Every calendar, the visit written in: to be saved with it."""
        for calendar in self.stations:
            calendar.book(visit.id, visit.starts_at, visit.ends_at, visit.station)
        for calendar in (*self.resident, *self.visitor):
            calendar.book(visit.id, visit.starts_at, visit.ends_at)
        return [*self.stations, *self.resident, *self.visitor]


# No visit has this key: nothing is left out of what is taken.
_NONE = UUID(int=0)


def release(visitation: Visitation, *visits: Visit) -> list[Calendar]:
    """The calendars of the visits with their windows given back (each read once, to be saved
    with the visits): their stations, residents and visitors are free again for those windows."""
    calendars: dict[UUID, Calendar] = {}
    for visit in visits:
        for owner in (
            stations_owner(visit.facility_id),
            resident_owner(visit.facility_id, visit.resident_id),
            visitor_owner(visit.account_id),
        ):
            for day in days_of(visit.starts_at, visit.ends_at):
                key = Calendar.create_id(owner, day.isoformat())
                calendar = calendars.get(key) or visitation.find(key, Calendar)
                if calendar is not None and visit.id in calendar.bookings:
                    calendar.release(visit.id)
                    calendars[key] = calendar
    return list(calendars.values())

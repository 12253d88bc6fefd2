"""Taking and giving back a visit's window in the calendars of its station, its resident and its
visitor. A booking reads the calendars of the resident, of the visitor and of stations for
every UTC day the window touches, takes a free station, and saves the visit with the three
owners' calendars in one transaction (decision 0064).

The first try takes the lowest free station, so a facility's stations fill in order. A try
again after losing a race takes one of the free stations at random: bookings racing for the
same moment then spread over the stations instead of colliding on the same one each time.
Stations' calendars are read one at a time until a free one is found, the resident's and the
visitor's first: a refusal or a quiet day costs few reads.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from dataclasses import field
from dataclasses import replace
from datetime import datetime
from uuid import UUID

from kinlink_kit.errors import FailedPrecondition

from kinlink_visitation.domain.calendar import Calendar
from kinlink_visitation.domain.calendar import days_of
from kinlink_visitation.domain.calendar import resident_owner
from kinlink_visitation.domain.calendar import station_owner
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


# No visit has this key: a window asked about for no visit in particular.
_NO_VISIT = UUID(int=0)


def _calendars(
    visitation: Visitation, owner: str, starts_at: datetime, ends_at: datetime
) -> list[Calendar]:
    """The owner's calendars of the window's days, those never written made (unsaved)."""
    return [
        visitation.find(Calendar.create_id(owner, day.isoformat()), Calendar)
        or Calendar.open(owner, day)
        for day in days_of(starts_at, ends_at)
    ]


def _taken(calendars: list[Calendar], starts_at: datetime, ends_at: datetime, but: UUID) -> bool:
    return any(calendar.taken(starts_at, ends_at, but) for calendar in calendars)


@dataclass(frozen=True)
class Window:
    """The calendars a window is read from: the resident's, the visitor's (when one is asking),
    and each of the facility's stations', each read when first asked about."""

    visitation: Visitation
    facility_id: str
    stations: int
    starts_at: datetime
    ends_at: datetime
    resident: list[Calendar]
    visitor: list[Calendar]
    # The window read for: the days of every calendar, those of `at`'s windows within it too.
    span: tuple[datetime, datetime]
    # Station -> its calendars, as read so far; shared by the windows `at` makes.
    read_stations: dict[int, list[Calendar]] = field(default_factory=dict)

    @classmethod
    def read(
        cls,
        visitation: Visitation,
        facility_id: str,
        stations: int,
        resident_id: str,
        account_id: UUID | None,
        starts_at: datetime,
        ends_at: datetime,
    ) -> Window:
        def of(owner: str) -> list[Calendar]:
            return _calendars(visitation, owner, starts_at, ends_at)

        return cls(
            visitation,
            facility_id,
            stations,
            starts_at,
            ends_at,
            resident=of(resident_owner(facility_id, resident_id)),
            visitor=of(visitor_owner(account_id)) if account_id is not None else [],
            span=(starts_at, ends_at),
        )

    def at(self, starts_at: datetime, ends_at: datetime) -> Window:
        """The same calendars, asked about a window within the one they were read for."""
        return replace(self, starts_at=starts_at, ends_at=ends_at)

    def station(self, station: int) -> list[Calendar]:
        if station not in self.read_stations:
            owner = station_owner(self.facility_id, station)
            self.read_stations[station] = _calendars(self.visitation, owner, *self.span)
        return self.read_stations[station]

    def station_free(self, station: int, but: UUID = _NO_VISIT) -> bool:
        return not _taken(self.station(station), self.starts_at, self.ends_at, but)

    def stations_free(self) -> list[int]:
        """The stations no visit takes in the window, lowest first."""
        return [station for station in range(1, self.stations + 1) if self.station_free(station)]

    def resident_free(self, but: UUID = _NO_VISIT) -> bool:
        return not _taken(self.resident, self.starts_at, self.ends_at, but)

    def visitor_free(self, but: UUID = _NO_VISIT) -> bool:
        return not _taken(self.visitor, self.starts_at, self.ends_at, but)

    def free_station(self, visit_key: UUID, *, lowest: bool) -> int:
        """A station free for the visit (the lowest, or any), the resident and the visitor free
        too. Stations are read one by one until a free one is found."""
        if not self.resident_free(visit_key):
            raise ResidentBusy()
        if not self.visitor_free(visit_key):
            raise VisitorBusy()
        order = list(range(1, self.stations + 1))
        if not lowest:
            random.shuffle(order)
        for station in order:
            if self.station_free(station, visit_key):
                return station
        raise NoStationFree()

    def book(self, visit: Visit) -> list[Calendar]:
        """The visit's station's, resident's and visitor's calendars, the visit written in: to
        be saved with it."""
        taken = [*self.station(visit.station), *self.resident, *self.visitor]
        for calendar in taken:
            calendar.book(visit.id, visit.starts_at, visit.ends_at)
        return taken


def release(visitation: Visitation, *visits: Visit) -> list[Calendar]:
    """The calendars of the visits with their windows given back (each read once, to be saved
    with the visits): their stations, residents and visitors are free again for those windows."""
    calendars: dict[UUID, Calendar] = {}
    for visit in visits:
        for owner in (
            station_owner(visit.facility_id, visit.station),
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

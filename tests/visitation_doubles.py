"""What visitation's tests share: a facility with video stations and visiting hours every day
(America/Chicago), its residents, and the news visitation records from identity (the facility
configured, residents booked, transferred and released), handed to its consumer's handlers with
the tracking record of each event."""

from __future__ import annotations

from datetime import date
from datetime import datetime
from datetime import time
from uuid import UUID
from uuid import uuid4
from zoneinfo import ZoneInfo

from kinlink_contracts.envelope import Envelope
from kinlink_contracts.envelope import IntegrationEvent
from kinlink_contracts.facility import ResidentBooked
from kinlink_contracts.facility import ResidentReleased
from kinlink_contracts.facility import ResidentTransferred
from kinlink_contracts.facility_settings import FacilitySettings
from kinlink_contracts.facility_settings import FeeTier
from kinlink_contracts.facility_settings import VisitingWindow
from kinlink_contracts.facility_settings import Weekday
from kinlink_contracts.identity import FacilityConfigured
from kinlink_kit.consumer import event_tracking
from kinlink_visitation.domain.visit import Visit
from kinlink_visitation.domain.visit import VisitKind
from kinlink_visitation.entrypoints.identity_events import IDENTITY_HANDLERS
from kinlink_visitation.service_layer.availability import AvailabilityQuery
from kinlink_visitation.service_layer.availability import list_availability
from kinlink_visitation.service_layer.schedule_visit import ScheduleVisit
from kinlink_visitation.service_layer.schedule_visit import schedule_visit
from kinlink_visitation.service_layer.visitation import Visitation

FACILITY = "FAC-VIS"
OTHER_FACILITY = "FAC-OTHER"
RESIDENT = "R-1"
OTHER_RESIDENT = "R-2"
THIRD_RESIDENT = "R-3"
STATIONS = 2
PRICE_CENTS = 25

# Every day, 08:00 to 11:00 and 13:00 to 16:00, the facility's time.
EVERY_DAY = tuple(
    VisitingWindow(day=day, opens=opens, closes=closes)
    for day in Weekday
    for opens, closes in ((time(8), time(11)), (time(13), time(16)))
)


def facility_settings(**changes: object) -> FacilitySettings:
    settings = FacilitySettings(
        name="Visitation County Jail",
        time_zone="America/Chicago",
        deposit_fee_tiers=(FeeTier(up_to_cents=30000, fee_cents=295),),
        visiting_hours=EVERY_DAY,
        video_stations=STATIONS,
        video_price_per_minute_cents=PRICE_CENTS,
    )
    return settings.model_copy(update=changes)


def envelope(event: IntegrationEvent, key: str) -> Envelope:
    return Envelope.wrap(event, key=key, producer="identity", correlation_id="test")


def deliver(visitation: Visitation, message: Envelope) -> None:
    """An event as the consumer of identity's topic hands it to visitation's handler."""
    IDENTITY_HANDLERS[message.type](visitation, message, event_tracking(message.event_id))


def configure(
    visitation: Visitation, facility_id: str = FACILITY, revision: int = 1, **changes: object
) -> None:
    configured = FacilityConfigured(
        facility_id=facility_id, revision=revision, settings=facility_settings(**changes)
    )
    deliver(visitation, envelope(configured, facility_id))


def book(visitation: Visitation, resident_id: str, facility_id: str = FACILITY) -> None:
    booked = ResidentBooked(
        facility_id=facility_id, resident_id=resident_id, first_name="Ada", last_name="King"
    )
    deliver(visitation, envelope(booked, resident_id))


def release(visitation: Visitation, resident_id: str, facility_id: str = FACILITY) -> Envelope:
    released = envelope(
        ResidentReleased(facility_id=facility_id, resident_id=resident_id), resident_id
    )
    deliver(visitation, released)
    return released


def transfer(visitation: Visitation, resident_id: str, facility_id: str = FACILITY) -> Envelope:
    moved = envelope(
        ResidentTransferred(
            facility_id=facility_id, resident_id=resident_id, to_facility_id=OTHER_FACILITY
        ),
        resident_id,
    )
    deliver(visitation, moved)
    return moved


CHICAGO = ZoneInfo("America/Chicago")
# The clock is Wednesday 2026-11-25 12:00 in Chicago; a day's lead makes Thursday noon the
# earliest start, and Friday's visiting hours are all open.
FRIDAY = date(2026, 11, 27)


def local(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=CHICAGO)


def schedule(
    visitation: Visitation,
    visitor: UUID,
    starts_at: datetime,
    *,
    resident_id: str = RESIDENT,
    slot_minutes: int = 30,
    kind: VisitKind = VisitKind.REMOTE,
    visit_id: UUID | None = None,
) -> Visit:
    command = ScheduleVisit(
        visit_id=visit_id or uuid4(),
        facility_id=FACILITY,
        resident_id=resident_id,
        kind=kind,
        starts_at=starts_at,
        slot_minutes=slot_minutes,
    )
    return schedule_visit(visitation, visitor, command)


def availability(
    visitation: Visitation,
    day: date,
    visitor: UUID | None = None,
    slot_minutes: int = 30,
    resident_id: str = RESIDENT,
) -> list[tuple[datetime, int]]:
    """The day's free slots for the resident, at the facility's time, with the stations free."""
    found = list_availability(
        visitation,
        visitor,
        AvailabilityQuery(FACILITY, resident_id, day, slot_minutes, VisitKind.REMOTE),
    )
    assert found.closed_reason is None
    return [(free.slot.starts_at.astimezone(CHICAGO), free.stations_free) for free in found.slots]

"""ScheduleVisit and DirectDial: a family member books a video visit with a resident.

A scheduled visit takes one of the day's slots (within visiting hours, after the lead time,
within the horizon, not on a blackout date); a direct dial takes the facility's shortest slot
from now, if the facility is open for all of it. Either way the visit is saved with the
calendars of its station, resident and visitor in one transaction, so none of them is ever
booked twice (decision 0064). A repeat under the same visit id returns the visit first booked;
another request under it is refused.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from kinlink_contracts.facility_settings import FacilitySettings
from kinlink_contracts.ids import canonical_id
from kinlink_kit.errors import InvalidArgument
from kinlink_kit.logging import get_logger
from kinlink_kit.metrics import VISITS_BOOKED

from kinlink_visitation.domain.visit import Visit
from kinlink_visitation.domain.visit import VisitIdReused
from kinlink_visitation.domain.visit import VisitKind
from kinlink_visitation.domain.visiting_hours import Slot
from kinlink_visitation.domain.visiting_hours import VisitingHours
from kinlink_visitation.service_layer.calendars import Window
from kinlink_visitation.service_layer.visitation import Visitation

log = get_logger(__name__)

# Whether a visit already booked under the request's id is what the request asks for.
_Repeat = Callable[[Visit], bool]


class KindMissing(InvalidArgument):
    def __init__(self) -> None:
        super().__init__("kind_missing", "Say whether the visit is from home or in the facility.")


@dataclass(frozen=True)
class ScheduleVisit:
    visit_id: UUID  # the client's key
    facility_id: str
    resident_id: str
    kind: VisitKind | None
    starts_at: datetime
    slot_minutes: int  # 0: the facility's shortest


@dataclass(frozen=True)
class DirectDial:
    visit_id: UUID  # the client's key
    facility_id: str
    resident_id: str
    kind: VisitKind | None


def schedule_visit(visitation: Visitation, account_id: UUID, command: ScheduleVisit) -> Visit:
    def repeat(visit: Visit) -> bool:
        return (
            _same_visitor_and_resident(visit, account_id, command)
            and not visit.direct_dial
            and visit.kind is command.kind
            and visit.starts_at == command.starts_at
            and command.slot_minutes in (0, visit.slot_minutes)
        )

    first = _first(visitation, command.visit_id, repeat)
    if first is not None:
        return first
    settings, kind = _bookable(visitation, command.facility_id, command.resident_id, command.kind)
    hours = VisitingHours(settings)
    length = hours.slot_length(command.slot_minutes)
    slot = hours.bookable_slot(command.starts_at, length, visitation.clock())
    return _book(visitation, account_id, command, kind, settings, slot, repeat)


def direct_dial(visitation: Visitation, account_id: UUID, command: DirectDial) -> Visit:
    def repeat(visit: Visit) -> bool:
        return (
            _same_visitor_and_resident(visit, account_id, command)
            and visit.direct_dial
            and visit.kind is command.kind
        )

    first = _first(visitation, command.visit_id, repeat)
    if first is not None:
        return first
    settings, kind = _bookable(visitation, command.facility_id, command.resident_id, command.kind)
    slot = VisitingHours(settings).direct_dial_slot(visitation.clock())
    return _book(visitation, account_id, command, kind, settings, slot, repeat, direct_dial=True)


def _same_visitor_and_resident(
    visit: Visit, account_id: UUID, command: ScheduleVisit | DirectDial
) -> bool:
    return (visit.account_id, visit.facility_id, visit.resident_id) == (
        account_id,
        canonical_id(command.facility_id),
        canonical_id(command.resident_id),
    )


def _first(visitation: Visitation, visit_id: UUID, repeat: _Repeat) -> Visit | None:
    """The visit already booked under this id, if this request is its repeat."""
    visit = visitation.find(Visit.create_id(visit_id), Visit, to_change=False)
    if visit is None:
        return None
    if not repeat(visit):
        raise VisitIdReused()
    return visit


def _bookable(
    visitation: Visitation, facility_id: str, resident_id: str, kind: VisitKind | None
) -> tuple[FacilitySettings, VisitKind]:
    """The facility's settings, the resident held there, and the kind asked for."""
    settings = visitation.facilities.facility(facility_id)
    visitation.residents.require_held(facility_id, resident_id)
    if kind is None:
        raise KindMissing()
    return settings, kind


def _book(
    visitation: Visitation,
    account_id: UUID,
    command: ScheduleVisit | DirectDial,
    kind: VisitKind,
    settings: FacilitySettings,
    slot: Slot,
    repeat: _Repeat,
    *,
    direct_dial: bool = False,
) -> Visit:
    visit_id = command.visit_id
    facility_id = canonical_id(command.facility_id)
    resident_id = canonical_id(command.resident_id)
    key = Visit.create_id(visit_id)
    # After losing a race, any free station: racing bookings spread over them (decision 0064).
    attempts = 0

    def attempt() -> Visit:
        nonlocal attempts
        attempts += 1
        window = Window.read(
            visitation,
            facility_id,
            settings.video_stations,
            resident_id,
            account_id,
            slot.starts_at,
            slot.ends_at,
        )
        visit = Visit.schedule(
            visit_id,
            account_id=account_id,
            facility_id=facility_id,
            resident_id=resident_id,
            kind=kind,
            station=window.free_station(key, lowest=attempts == 1),
            starts_at=slot.starts_at,
            slot_minutes=int((slot.ends_at - slot.starts_at).total_seconds()) // 60,
            price_per_minute_cents=settings.video_price_per_minute_cents,
            facility_time_zone=settings.time_zone,
            at=visitation.clock(),
            direct_dial=direct_dial,
        )
        visitation.store.save(visit, *window.book(visit))
        VISITS_BOOKED.labels("direct_dial" if direct_dial else "scheduled").inc()
        log.info(
            "visit booked",
            visit_id=str(visit_id),
            facility_id=facility_id,
            station=visit.station,
            starts_at=visit.starts_at.isoformat(),
        )
        return visit

    # Asked twice at once: the visit saved first is the answer to both.
    return visitation.retrying(attempt, on_conflict=lambda: _first(visitation, visit_id, repeat))

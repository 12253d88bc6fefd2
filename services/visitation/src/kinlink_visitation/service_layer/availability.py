"""ListAvailability: the slots of one facility-local day at which a visit could be booked now,
each with the stations still free. A slot is left out when no station, the resident or the
visitor asking is free for it; a day with no slot at all says why (blackout, no hours, beyond the
horizon...)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from uuid import UUID

from kinlink_contracts.ids import canonical_id

from kinlink_visitation.domain.visit import VisitKind
from kinlink_visitation.domain.visiting_hours import ClosedReason
from kinlink_visitation.domain.visiting_hours import DayNotBookable
from kinlink_visitation.domain.visiting_hours import Slot
from kinlink_visitation.domain.visiting_hours import VisitingHours
from kinlink_visitation.service_layer.calendars import Window
from kinlink_visitation.service_layer.visitation import Visitation


@dataclass(frozen=True)
class AvailabilityQuery:
    facility_id: str
    resident_id: str
    day: date  # facility-local
    slot_minutes: int  # 0: the facility's shortest
    kind: VisitKind | None  # None: from home


@dataclass(frozen=True)
class FreeSlot:
    slot: Slot
    stations_free: int


@dataclass(frozen=True)
class Availability:
    facility_id: str
    day: date
    time_zone: str
    slot_minutes: int
    price_per_minute_cents: int
    slots: list[FreeSlot]
    closed_reason: ClosedReason | None


def list_availability(
    visitation: Visitation, visitor: UUID | None, query: AvailabilityQuery
) -> Availability:
    """`visitor`: the family member asking (their own visits taken into account), or None."""
    facility_id = canonical_id(query.facility_id)
    resident_id = canonical_id(query.resident_id)
    settings = visitation.facilities.facility(facility_id)
    visitation.residents.require_held(facility_id, resident_id)
    hours = VisitingHours(settings)
    length = hours.slot_length(query.slot_minutes)
    price = 0 if query.kind is VisitKind.IN_FACILITY else settings.video_price_per_minute_cents

    def answer(slots: list[FreeSlot], closed: ClosedReason | None = None) -> Availability:
        return Availability(
            facility_id,
            query.day,
            settings.time_zone,
            int(length.total_seconds()) // 60,
            price,
            slots,
            closed,
        )

    try:
        slots = hours.bookable_slots(query.day, length, visitation.clock())
    except DayNotBookable as closed:
        return answer([], closed.reason)
    day = Window.read(
        visitation,
        facility_id,
        settings.video_stations,
        resident_id,
        visitor,
        slots[0].starts_at,
        slots[-1].ends_at,
    )
    free = []
    for slot in slots:
        window = day.at(slot.starts_at, slot.ends_at)
        stations = len(window.stations_free())
        if stations and window.resident_free() and window.visitor_free():
            free.append(FreeSlot(slot, stations))
    return answer(free)

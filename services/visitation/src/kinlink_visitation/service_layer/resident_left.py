"""A resident transferred or released (identity's topic): their visits still booked at the
facility are over. One not yet begun is cancelled for that reason (resident_transferred /
resident_released: "full credit", nothing having been charged); one in progress, or with a side
already in the room, is ended (resident_left). Either way the station and the visitor are free
again. The visits are saved with the resident's entry and the event's tracking record."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from kinlink_visitation.domain.calendar import Calendar
from kinlink_visitation.domain.visit import CancelledBy
from kinlink_visitation.domain.visit import EndReason
from kinlink_visitation.domain.visit import Visit
from kinlink_visitation.domain.visit import VisitStatus
from kinlink_visitation.service_layer.calendars import release
from kinlink_visitation.service_layer.visitation import Visitation


@dataclass(frozen=True)
class ResidentGone:
    facility_id: str
    resident_id: str
    why: CancelledBy  # RESIDENT_TRANSFERRED or RESIDENT_RELEASED
    at: datetime


def resident_leaving(visitation: Visitation, gone: ResidentGone) -> list[Visit | Calendar]:
    """The resident's visits that changed and their calendars, to be saved together."""
    visits = []
    for key in visitation.views.visits.booked_of_resident(gone.facility_id, gone.resident_id):
        visit = visitation.find(key, Visit)
        if visit is None or not visit.books_its_window:
            continue
        if visit.status is VisitStatus.SCHEDULED and not visit.anyone_present:
            visit.cancel(gone.why, "", gone.at)
        else:
            visit.end(EndReason.RESIDENT_LEFT, gone.at, gone.why.value)
        visits.append(visit)
    return [*visits, *release(visitation, *visits)]

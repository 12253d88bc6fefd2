"""A resident transferred or released (identity's topic): their visits still booked at the
facility are over. One not yet begun is cancelled for that reason (resident_transferred /
resident_released: "full credit", nothing having been charged); one in progress, or with a side
already in the room, is ended (resident_left) as every visit ends (service_layer.end_visit: the
room closed, the minute cut short given back). Either way the station and the visitor are free
again. The cancelled visits are saved with the resident's entry and the event's tracking
record."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from kinlink_kit.metrics import VISITS_CANCELLED

from kinlink_visitation.domain.calendar import Calendar
from kinlink_visitation.domain.visit import CancelledBy
from kinlink_visitation.domain.visit import EndReason
from kinlink_visitation.domain.visit import Visit
from kinlink_visitation.domain.visit import VisitStatus
from kinlink_visitation.service_layer.calendars import release
from kinlink_visitation.service_layer.end_visit import end_visit
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
            # Its room may be open already (tickets given): closed now, and again if the event
            # comes again because the cancel was not saved.
            visitation.rooms.close_room(visit.visit_id)
            VISITS_CANCELLED.labels(gone.why.value).inc()
            visits.append(visit)
        else:
            # The room closed and the minutes settled first: saved on its own (decision 0072).
            end_visit(
                visitation, visit.visit_id, EndReason.RESIDENT_LEFT, gone.why.value, at=gone.at
            )
    return [*visits, *release(visitation, *visits)]

"""The missed-visit sweep's work: a visit still scheduled when its window is over never had both
sides in the room, so it is marked missed (CallMissed) and nothing is charged. Visits that did
connect are ended when their window is over by the money's sweep, not here."""

from __future__ import annotations

from uuid import UUID

from kinlink_kit.logging import get_logger
from kinlink_kit.metrics import VISITS_MISSED

from kinlink_visitation.domain.visit import Visit
from kinlink_visitation.domain.visit import VisitNotFound
from kinlink_visitation.domain.visit import VisitStatus
from kinlink_visitation.service_layer.visitation import Visitation

log = get_logger(__name__)


def mark_missed_visits(visitation: Visitation) -> int:
    """Returns how many visits were marked missed now."""
    now = visitation.clock()
    missed = 0

    def miss(visit: Visit) -> UUID | None:
        # Decided on the visit as it is now: one that connected since the view was read, or
        # that another replica's sweep marked, is left alone.
        if visit.status is not VisitStatus.SCHEDULED or not visit.is_over(now):
            return None
        visit.missed(now)
        return visit.visit_id

    for key in visitation.views.visits.booked_over_by(now):
        visit_id = visitation.change(key, Visit, miss, missing=VisitNotFound)
        if visit_id is not None:
            # A side that waited alone in the room is taken out with it.
            visitation.rooms.close_room(visit_id)
            missed += 1
            VISITS_MISSED.inc()
            log.info("visit missed", visit_key=str(key))
    return missed

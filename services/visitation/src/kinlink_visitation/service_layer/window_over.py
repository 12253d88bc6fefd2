"""The window-over sweep: a visit still connected (or interrupted) when its window ends is
ended WINDOW_OVER at the window's end, so nothing is charged past it and the minute the window
cut short is given back. A visit never connected is the missed-visit sweep's."""

from __future__ import annotations

from kinlink_kit.errors import Unavailable
from kinlink_kit.logging import get_logger

from kinlink_visitation.domain.visit import EndReason
from kinlink_visitation.domain.visit import Visit
from kinlink_visitation.service_layer.end_visit import end_visit
from kinlink_visitation.service_layer.meter import METERED
from kinlink_visitation.service_layer.visitation import Visitation

log = get_logger(__name__)


def end_visits_past_their_window(visitation: Visitation) -> int:
    """How many visits it ended."""
    now = visitation.clock()
    ended = 0
    for key in visitation.views.visits.in_progress():
        visit = visitation.find(key, Visit)
        # The view may lag behind the store.
        if visit is None or visit.status not in METERED or visit.ends_at > now:
            continue
        try:
            end_visit(visitation, visit.visit_id, EndReason.WINDOW_OVER, at=visit.ends_at)
        except Unavailable:
            log.warning("the wallet or the provider cannot be reached; the next sweep ends it")
            break
        except Exception:
            log.exception("visit not ended; the next sweep tries again", visit_key=str(key))
            continue
        ended += 1
    return ended

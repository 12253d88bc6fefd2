"""What the video provider reports of a visit's room, recorded on the visit: a side joining
or leaving (`Visit.joined`, `Visit.left`: both present starts or resumes the visit, one leaving
interrupts it, a leave of ours marked so its minute is given back) or the room finishing.

The provider may report twice or late; the visit ignores news older than what it recorded for
that side, and anything after its end. A room that names no visit of ours is logged and
dropped. The presence sweep (`reconcile_rooms`) sets right what a report that never came left
wrong.
"""

from __future__ import annotations

from datetime import datetime
from functools import partial

from kinlink_kit.logging import get_logger

from kinlink_visitation.domain.ids import visit_key
from kinlink_visitation.domain.video import RoomChange
from kinlink_visitation.domain.video import RoomReport
from kinlink_visitation.domain.visit import Side
from kinlink_visitation.domain.visit import Visit
from kinlink_visitation.domain.visit import VisitNotFound
from kinlink_visitation.service_layer.visitation import Visitation

log = get_logger(__name__)


def record_room_report(visitation: Visitation, report: RoomReport) -> None:
    visit_id = report.visit_id
    if visit_id is None or visitation.find(visit_key(visit_id), Visit, to_change=False) is None:
        log.warning("video room of no visit", room=report.room, change=report.change.value)
        return

    def recording(visit: Visit) -> None:
        if report.change is RoomChange.FINISHED:
            visit.room_finished(report.at)
        elif report.side is None:
            raise ValueError(f"a {report.change} report names its side")
        elif report.change is RoomChange.JOINED:
            visit.joined(report.side, report.at)
        else:
            visit.left(report.side, report.at, report.ours)

    visitation.change(visit_key(visit_id), Visit, recording, missing=VisitNotFound)


def reconcile_rooms(visitation: Visitation) -> int:
    """The presence sweep's work: each visit in progress or interrupted is set right with who
    the provider says is in its room now, in case a report never came (LiveKit gives up on a
    webhook in the end). A side recorded present but gone left now, on our side, since we lost
    the news (the minute in progress is given back); a side in the room but not recorded
    joined now. Returns how many visits were set right."""
    corrected = 0
    for key in visitation.views.visits.in_progress():
        visit = visitation.find(key, Visit, to_change=False)
        if visit is None:
            continue
        in_room = visitation.rooms.present(visit.visit_id)
        reconciling = partial(_set_right, in_room=in_room, now=visitation.clock())
        if visitation.change(key, Visit, reconciling, missing=VisitNotFound):
            corrected += 1
            log.warning("visit presence set right", visit_key=str(key), in_room=sorted(in_room))
    return corrected


def _set_right(visit: Visit, *, in_room: frozenset[Side], now: datetime) -> bool:
    version = visit.version
    for side in Side:
        if visit.presence[side] and side not in in_room:
            visit.left(side, now, ours=True)
        elif not visit.presence[side] and side in in_room:
            visit.joined(side, now)
    return bool(visit.version != version)

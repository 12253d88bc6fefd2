"""What the video provider reports of a visit's room, recorded on the visit: a side joining
or leaving (`Visit.joined`, `Visit.left`: both present starts or resumes the visit, one leaving
interrupts it, a leave of ours marked so its minute is given back) or the room finishing.

The provider may report twice or late; the visit ignores news older than what it recorded for
that side, and anything after its end. A room that names no visit of ours is logged and
dropped.
"""

from __future__ import annotations

from kinlink_kit.logging import get_logger

from kinlink_visitation.domain.ids import visit_key
from kinlink_visitation.domain.video import RoomChange
from kinlink_visitation.domain.video import RoomReport
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

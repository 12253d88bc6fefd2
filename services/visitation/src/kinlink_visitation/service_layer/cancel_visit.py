"""CancelVisit: the visitor cancels their own visit before it starts, or staff of the facility
cancel a scheduled one, saying why. The station, the resident and the visitor are free again
for its window, and its room is closed: a side already waiting in it (it opens before the
start) is taken out, and a join racing the cancel finds no room. Cancelling again returns the
visit as it is (and closes the room again, in case the first attempt died before)."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from kinlink_kit.auth import Principal
from kinlink_kit.errors import InvalidArgument
from kinlink_kit.logging import get_logger
from kinlink_kit.metrics import VISITS_CANCELLED

from kinlink_visitation.domain.visit import CancelledBy
from kinlink_visitation.domain.visit import Visit
from kinlink_visitation.domain.visit import VisitNotCancellable
from kinlink_visitation.domain.visit import VisitNotFound
from kinlink_visitation.domain.visit import VisitStatus
from kinlink_visitation.service_layer.calendars import release
from kinlink_visitation.service_layer.visitation import Visitation
from kinlink_visitation.service_layer.visits_access import booked_by
from kinlink_visitation.service_layer.visits_access import check_staff

log = get_logger(__name__)


class NoteMissing(InvalidArgument):
    def __init__(self) -> None:
        super().__init__("note_missing", "Say why the visit is cancelled: the family is told.")


@dataclass(frozen=True)
class CancelVisit:
    visit_id: UUID
    note: str = ""


def cancel_visit(visitation: Visitation, principal: Principal, command: CancelVisit) -> Visit:
    note = command.note.strip()

    def attempt() -> Visit:
        visit = visitation.require(Visit.create_id(command.visit_id), Visit, VisitNotFound)
        now = visitation.clock()
        if booked_by(visit, principal):
            if visit.status is VisitStatus.SCHEDULED and now >= visit.starts_at:
                raise VisitNotCancellable()  # it has begun: the visitor hangs up instead
            by = CancelledBy.VISITOR
        else:
            check_staff(visit, principal)
            if not note:
                raise NoteMissing()
            by = CancelledBy.FACILITY
        if visit.status is VisitStatus.CANCELLED:
            return visit  # cancelled before: the first answer stands
        visit.cancel(by, note, now)
        visitation.store.save(visit, *release(visitation, visit))
        VISITS_CANCELLED.labels(by.value).inc()
        log.info("visit cancelled", visit_id=str(command.visit_id), by=by.value)
        return visit

    cancelled = visitation.retrying(attempt)
    visitation.rooms.close_room(cancelled.visit_id)
    return cancelled

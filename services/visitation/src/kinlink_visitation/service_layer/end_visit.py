"""Ending a visit: the visitor hangs up for good, an officer ends it (with a reason), its
window ends, its wallet runs dry, or the resident leaves. The end is begun on the visit first,
so that the provider's news of the room it closes is not taken for an interruption (decision
0108). The provider removes both sides and closes the room, so no one stays connected to an
ended visit; then its minutes are settled up to the end (`minutes.settle`: a minute cut short
on our side given back), and `CallEnded` records the totals as the station, the resident and the
visitor are given back the rest of the window (decision 0072).

Repeatable: a visit already ended is returned as it is; one that died half-way (end begun, room
closed, minutes settled, end not recorded) is finished as it was begun by the next attempt or
the window-over sweep. The minutes are settled again once the end is saved: a meter's minute
recorded in between is given back then (the meter gives back one recorded after the end itself).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from kinlink_kit.auth import Principal
from kinlink_kit.errors import InvalidArgument
from kinlink_kit.logging import get_logger

from kinlink_visitation.domain.visit import EndReason
from kinlink_visitation.domain.visit import Visit
from kinlink_visitation.domain.visit import VisitNotFound
from kinlink_visitation.domain.visit import VisitStatus
from kinlink_visitation.domain.wallet import InsufficientCredit
from kinlink_visitation.service_layer.calendars import release
from kinlink_visitation.service_layer.minutes import cut_short_by_us
from kinlink_visitation.service_layer.minutes import settle
from kinlink_visitation.service_layer.visitation import Visitation
from kinlink_visitation.service_layer.visits_access import booked_by
from kinlink_visitation.service_layer.visits_access import check_staff

log = get_logger(__name__)


class ReasonMissing(InvalidArgument):
    def __init__(self) -> None:
        super().__init__("reason_missing", "Say why the visit is ended.")


@dataclass(frozen=True)
class EndVisit:
    visit_id: UUID
    reason: str  # required from staff; the visitor's is kept as a note


def end_visit_as(visitation: Visitation, command: EndVisit, principal: Principal) -> Visit:
    """EndVisit: the visit's visitor, or staff of its facility with a reason."""
    visit = visitation.require(Visit.create_id(command.visit_id), Visit, VisitNotFound)
    note = command.reason.strip()
    if booked_by(visit, principal):
        return end_visit(visitation, visit.visit_id, EndReason.VISITOR_ENDED, note)
    check_staff(visit, principal)
    if not note:
        raise ReasonMissing()
    return end_visit(visitation, visit.visit_id, EndReason.OFFICER_ENDED, note)


def end_visit(
    visitation: Visitation,
    visit_id: UUID,
    reason: EndReason,
    note: str = "",
    *,
    at: datetime | None = None,
) -> Visit:
    """Ends the visit `visit_id` (the client's id) for `reason` at `at` (now by default). An
    end begun before and cut off is finished as it was begun."""
    key = Visit.create_id(visit_id)
    visit = visitation.require(key, Visit, VisitNotFound)
    if visit.status is VisitStatus.ENDED:
        return visit
    if visit.ending is None:

        def beginning(visit: Visit) -> Visit:
            visit.begin_end(reason, at or visitation.clock(), note)
            return visit

        visit = visitation.change(key, Visit, beginning, missing=VisitNotFound)
    if visit.ending is None:  # ended meanwhile
        return visit
    reason, at, note = visit.ending
    visitation.rooms.close_room(visit_id)
    cut_short = cut_short_by_us(visit, reason)
    try:
        settle(
            visitation,
            visit,
            at,
            cut_short=cut_short,
            may_charge=reason is not EndReason.CREDIT_EXHAUSTED,
        )
    except InsufficientCredit:
        # The last minute begun cannot be paid: the call is over, it is not charged.
        visit = visitation.require(key, Visit, VisitNotFound)
        settle(visitation, visit, at, cut_short=cut_short, may_charge=False)

    def ending() -> Visit:
        visit = visitation.require(key, Visit, VisitNotFound)
        visit.end(reason, at, note)
        visitation.store.save(visit, *release(visitation, visit))
        return visit

    ended = visitation.retrying(ending)
    # A meter that charged and recorded a minute while this end settled (before the end was
    # saved) left it charged: what the ended visit does not owe is given back now.
    ended = settle(visitation, ended, at, cut_short=cut_short, may_charge=False)
    log.info("visit ended", visit_id=str(visit_id), reason=reason.value)
    return ended

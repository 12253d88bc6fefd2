"""GetJoinTicket: a side's way into the visit's video room. The visitor asks for their own
visit; the station's kiosk, signed in as staff of the facility, for the station's side.

A visit opens 5 minutes before it starts and closes at its end: outside that, or once it is
over (ended, cancelled, missed), `visit_not_open`. The visitor of a remote visit needs a wallet
that covers its first minute (`insufficient_credit`). The room is opened on the first ticket (again
after: nothing changes) and every ticket's token dies at the visit's end, so the provider itself
refuses a late join. A cancel racing the ticket leaves no room open: the visit is read again
once the room is opened.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from uuid import UUID

from kinlink_kit.auth import Principal
from kinlink_kit.auth import Role
from kinlink_kit.errors import FailedPrecondition
from kinlink_kit.logging import get_logger

from kinlink_visitation.domain.ids import visit_key
from kinlink_visitation.domain.video import JoinTicket
from kinlink_visitation.domain.visit import BOOKED
from kinlink_visitation.domain.visit import Side
from kinlink_visitation.domain.visit import Visit
from kinlink_visitation.domain.visit import VisitKind
from kinlink_visitation.domain.visit import VisitNotFound
from kinlink_visitation.domain.wallet import InsufficientCredit
from kinlink_visitation.service_layer.visitation import Visitation

log = get_logger(__name__)

OPENS_BEFORE_START = timedelta(minutes=5)
_STAFF = frozenset({Role.FACILITY_OFFICER, Role.OPERATOR})


class VisitNotOpen(FailedPrecondition):
    def __init__(self) -> None:
        super().__init__(
            "visit_not_open",
            "This visit can be joined from 5 minutes before it starts until it ends.",
        )


@dataclass(frozen=True)
class GetJoinTicket:
    visit_id: UUID
    side: Side


def join_ticket(visitation: Visitation, principal: Principal, command: GetJoinTicket) -> JoinTicket:
    visit = visitation.require(visit_key(command.visit_id), Visit, VisitNotFound)
    if not _may_join(principal, visit, command.side):
        raise VisitNotFound()  # someone else's visit is no visit to them
    opens = visit.starts_at - OPENS_BEFORE_START
    now = visitation.clock()
    if visit.status not in BOOKED or not opens <= now < visit.ends_at:
        raise VisitNotOpen()
    if side_pays(visit, command.side) and (
        visitation.wallet.balance(visit.account_id) < visit.price_per_minute_cents
    ):
        raise InsufficientCredit()  # the first minute could not be charged
    visitation.rooms.open_room(visit.visit_id, visit.ends_at)
    # A cancel saved since the look above closed the room before this opened it again.
    now_booked = visitation.find(visit.id, Visit, to_change=False)
    if now_booked is None or now_booked.status not in BOOKED:
        visitation.rooms.close_room(visit.visit_id)
        raise VisitNotOpen()
    log.info("join ticket issued", visit_id=str(visit.visit_id), side=command.side.value)
    return visitation.rooms.ticket(visit.visit_id, command.side, opens, visit.ends_at)


def side_pays(visit: Visit, side: Side) -> bool:
    """The visitor of a remote visit pays its minutes; the station and in-facility visits never."""
    return side is Side.VISITOR and visit.kind is VisitKind.REMOTE


def _may_join(principal: Principal, visit: Visit, side: Side) -> bool:
    if side is Side.VISITOR:
        return principal.has(Role.FAMILY_MEMBER) and principal.account_id == str(visit.account_id)
    return bool(principal.roles & _STAFF) and principal.in_scope(visit.facility_id)

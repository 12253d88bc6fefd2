"""The visitor of a remote visit joins only with a wallet that covers its first minute
(`insufficient_credit`); the station's side and an in-facility visit never need one. On SQLite
and on the real PostgreSQL."""

from __future__ import annotations

from uuid import uuid4

from kinlink_kit.auth import Principal
from kinlink_kit.auth import Role
from kinlink_kit.testing import Clock
from kinlink_kit.testing import refused
from kinlink_visitation.domain.visit import Side
from kinlink_visitation.domain.visit import VisitKind
from kinlink_visitation.domain.wallet import InsufficientCredit
from kinlink_visitation.service_layer.join_ticket import GetJoinTicket
from kinlink_visitation.service_layer.join_ticket import join_ticket
from kinlink_visitation.service_layer.visitation import Visitation

from tests.integration.visitation.money.conftest import Outside
from tests.integration.visitation.money.test_visit_money import family
from tests.visitation_money import FACILITY
from tests.visitation_money import MINUTE_CENTS
from tests.visitation_money import booked


def test_a_remote_visitor_joins_only_with_a_minute_in_the_wallet(
    visitation: Visitation, outside: Outside, clock: Clock
) -> None:
    account = uuid4()
    remote, free = booked(account), booked(account, VisitKind.IN_FACILITY)
    visitation.store.save(remote, free)
    station = Principal(str(uuid4()), frozenset({Role.FACILITY_OFFICER}), frozenset({FACILITY}))
    outside.wallet.fund(account, MINUTE_CENTS - 1)

    with refused(InsufficientCredit, "insufficient_credit"):
        join_ticket(visitation, family(account), GetJoinTicket(remote.visit_id, Side.VISITOR))
    assert join_ticket(visitation, station, GetJoinTicket(remote.visit_id, Side.STATION))
    assert join_ticket(visitation, family(account), GetJoinTicket(free.visit_id, Side.VISITOR))
    outside.wallet.fund(account, 1)
    ticket = join_ticket(visitation, family(account), GetJoinTicket(remote.visit_id, Side.VISITOR))
    assert ticket.identity == Side.VISITOR.value

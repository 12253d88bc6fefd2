"""The meter racing an officer's end: a minute the meter charges and records while the end is
being settled (after its minutes were brought to what it owes, before `CallEnded` is saved) is
not owed at the end, and is given back once."""

from __future__ import annotations

from uuid import UUID
from uuid import uuid4

from kinlink_kit.testing import Clock
from kinlink_visitation.domain.visit import EndReason
from kinlink_visitation.domain.visit import Visit
from kinlink_visitation.domain.visit import VisitStatus
from kinlink_visitation.domain.wallet import Payment
from kinlink_visitation.domain.wallet import minute_reference
from kinlink_visitation.service_layer.end_visit import end_visit
from kinlink_visitation.service_layer.meter import meter_visit
from kinlink_visitation.service_layer.visitation import Visitation

from tests.integration.visitation.money.conftest import Outside
from tests.visitation_money import SECOND
from tests.visitation_money import booked
from tests.visitation_money import connected
from tests.visitation_money import in_the_room


def test_a_minute_the_meter_records_while_the_end_settles_is_given_back(
    visitation: Visitation, outside: Outside, clock: Clock
) -> None:
    account = uuid4()
    outside.wallet.fund(account, 1000)
    visit = connected(booked(account), clock.now)
    visitation.store.save(visit)
    in_the_room(outside.rooms, visit, clock.now)
    assert visit.started_at is not None
    clock.now = visit.started_at + 30 * SECOND
    meter_visit(visitation, visit.id)  # minute 1
    clock.now = visit.started_at + 61 * SECOND  # minute 2 begun, cut short by the officer

    # The end's last look at the ledger (for a charge whose answer was lost) is where the
    # meter, in another process, charges and records minute 2.
    looking = outside.wallet.find_payment
    racing = [True]

    def find_payment(account_id: UUID, reference: str) -> Payment | None:
        found = looking(account_id, reference)
        if racing and reference == minute_reference(visit.visit_id, 2):
            racing.clear()
            meter_visit(visitation, visit.id)
        return found

    outside.wallet.find_payment = find_payment  # type: ignore[method-assign]
    end_visit(visitation, visit.visit_id, EndReason.OFFICER_ENDED, "Count")

    ended = visitation.find(visit.id, Visit)
    assert ended is not None and not racing
    assert ended.status is VisitStatus.ENDED
    assert (ended.minutes_charged, ended.charged_cents, ended.credited_cents) == (2, 50, 25)
    assert outside.wallet.refunded == [minute_reference(visit.visit_id, 2)]
    assert outside.wallet.balance(account) == 1000 - 25

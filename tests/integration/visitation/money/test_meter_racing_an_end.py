"""The meter racing an end. A minute the meter charges and records while the end is being
settled (after its minutes were brought to what it owes, before `CallEnded` is saved) is not
owed at the end, and is given back once. The news of the room the end closes is not taken for
an interruption on our side: no minute the visitor owes is given back for it."""

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
from kinlink_visitation.service_layer.minutes import cut_short_by_us
from kinlink_visitation.service_layer.minutes import settle
from kinlink_visitation.service_layer.room_reports import record_room_report
from kinlink_visitation.service_layer.visitation import Visitation

from tests.integration.visitation.money.conftest import Outside
from tests.visitation_money import SECOND
from tests.visitation_money import booked
from tests.visitation_money import connected
from tests.visitation_money import in_the_room


def in_progress(visitation: Visitation, outside: Outside, clock: Clock) -> tuple[Visit, UUID]:
    """A visit both sides joined now, in its room; its visitor's wallet holds $10."""
    account = uuid4()
    outside.wallet.fund(account, 1000)
    visit = connected(booked(account), clock.now)
    visitation.store.save(visit)
    in_the_room(outside.rooms, visit, clock.now)
    return visit, account


def test_a_minute_the_meter_records_while_the_end_settles_is_given_back(
    visitation: Visitation, outside: Outside, clock: Clock
) -> None:
    visit, account = in_progress(visitation, outside, clock)
    assert visit.started_at is not None
    clock.now = visit.started_at + 30 * SECOND
    meter_visit(visitation, visit.id)  # minute 1
    clock.now = visit.started_at + 61 * SECOND  # minute 2 begun, cut short by the officer

    # The end's last look at the ledger (for a charge whose answer was lost) is where the
    # meter, in another process, charges and records minute 2: it read the visit before the
    # end began.
    metering = visitation.find(visit.id, Visit)
    assert metering is not None
    looking = outside.wallet.find_payment
    racing = [True]

    def find_payment(account_id: UUID, reference: str) -> Payment | None:
        found = looking(account_id, reference)
        if racing and reference == minute_reference(visit.visit_id, 2):
            racing.clear()
            settle(visitation, metering, clock.now, cut_short=cut_short_by_us(metering))
        return found

    outside.wallet.find_payment = find_payment  # type: ignore[method-assign]
    end_visit(visitation, visit.visit_id, EndReason.OFFICER_ENDED, "Count")

    ended = visitation.find(visit.id, Visit)
    assert ended is not None and not racing
    assert ended.status is VisitStatus.ENDED
    assert (ended.minutes_charged, ended.charged_cents, ended.credited_cents) == (2, 50, 25)
    assert outside.wallet.refunded == [minute_reference(visit.visit_id, 2)]
    assert outside.wallet.balance(account) == 1000 - 25


def test_the_room_closed_by_a_visitors_end_gives_back_no_minute(
    visitation: Visitation, outside: Outside, clock: Clock
) -> None:
    """The visitor hangs up two and a half minutes in. The end closes the room first, and the
    provider's news of both sides leaving (ours: we closed it) reaches the visit, and the meter
    runs, before the end is recorded: the three minutes begun are still the visitor's."""
    visit, account = in_progress(visitation, outside, clock)
    assert visit.started_at is not None
    clock.now = visit.started_at + 150 * SECOND
    meter_visit(visitation, visit.id)  # minutes 1 to 3
    closing = outside.rooms.close_room

    def close_room(visit_id: UUID) -> None:
        closing(visit_id)
        for report in outside.rooms.reports_waiting():
            record_room_report(visitation, report)
        meter_visit(visitation, visit.id)

    outside.rooms.close_room = close_room  # type: ignore[method-assign]
    end_visit(visitation, visit.visit_id, EndReason.VISITOR_ENDED)

    ended = visitation.find(visit.id, Visit)
    assert ended is not None and ended.status is VisitStatus.ENDED
    assert (ended.minutes_charged, ended.charged_cents, ended.credited_cents) == (3, 75, 0)
    assert outside.wallet.refunded == []
    assert outside.wallet.balance(account) == 1000 - 75

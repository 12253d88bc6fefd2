"""Visitation's money on SQLite and on the real PostgreSQL, with the wallet and rooms of
`tests.visitation_money`: every minute begun charged once however often the meter runs; a drop
on our side credited once (the webhook and the meter repeated), one on the visitor's side not;
a visit ended by an officer charged only for its connected minutes; a wallet that runs dry ends
the visit; an in-facility visit never charged; a charge whose answer was lost charged once; the
window's end ends a visit there."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID
from uuid import uuid4

import pytest
from kinlink_kit.auth import Principal
from kinlink_kit.auth import Role
from kinlink_kit.errors import PermissionDenied
from kinlink_kit.testing import Clock
from kinlink_kit.testing import refused
from kinlink_visitation.domain.video import VideoUnavailable
from kinlink_visitation.domain.visit import CancelledBy
from kinlink_visitation.domain.visit import EndReason
from kinlink_visitation.domain.visit import Side
from kinlink_visitation.domain.visit import Visit
from kinlink_visitation.domain.visit import VisitKind
from kinlink_visitation.domain.visit import VisitNotFound
from kinlink_visitation.domain.visit import VisitStatus
from kinlink_visitation.domain.wallet import minute_reference
from kinlink_visitation.service_layer.end_visit import EndVisit
from kinlink_visitation.service_layer.end_visit import ReasonMissing
from kinlink_visitation.service_layer.end_visit import end_visit_as
from kinlink_visitation.service_layer.meter import meter_visits
from kinlink_visitation.service_layer.resident_left import ResidentGone
from kinlink_visitation.service_layer.resident_left import resident_leaving
from kinlink_visitation.service_layer.visitation import Visitation
from kinlink_visitation.service_layer.window_over import end_visits_past_their_window

from tests.integration.visitation.money.conftest import Outside
from tests.memory_wallet import ProcessKilled
from tests.visitation_money import FACILITY
from tests.visitation_money import OTHER_FACILITY
from tests.visitation_money import SECOND
from tests.visitation_money import booked
from tests.visitation_money import connected
from tests.visitation_money import in_the_room


def family(account_id: UUID) -> Principal:
    return Principal(str(account_id), frozenset({Role.FAMILY_MEMBER}))


def officer(facility_id: str = FACILITY) -> Principal:
    return Principal(str(uuid4()), frozenset({Role.FACILITY_OFFICER}), frozenset({facility_id}))


def started(visitation: Visitation, clock: Clock, outside: Outside, cents: int = 1000) -> Visit:
    """A remote visit of a family member with `cents` in their wallet, connected now."""
    account = uuid4()
    outside.wallet.fund(account, cents)
    visit = connected(booked(account), clock.now)
    visitation.store.save(visit)
    in_the_room(outside.rooms, visit, clock.now)
    return visit


def moment(visit: Visit, seconds: float) -> datetime:
    """`seconds` after the visit started."""
    assert visit.started_at is not None
    return visit.started_at + seconds * SECOND


def at(clock: Clock, visit: Visit, seconds: float) -> None:
    clock.now = moment(visit, seconds)


def change(visitation: Visitation, visit: Visit, what: str, *args: object) -> None:
    """A webhook's effect on the visit, e.g. ("left", Side.STATION, when, True)."""

    def changing(found: Visit) -> Visit:
        getattr(found, what)(*args)
        return found

    visitation.change(visit.id, Visit, changing, missing=VisitNotFound)


def now_of(visitation: Visitation, visit: Visit) -> Visit:
    found = visitation.find(visit.id, Visit)
    assert found is not None
    return found


def test_each_minute_begun_is_charged_once_however_often_the_meter_runs(
    visitation: Visitation, outside: Outside, clock: Clock
) -> None:
    visit = started(visitation, clock, outside)
    for seconds, minutes in ((0, 0), (1, 1), (1, 1), (60, 1), (60.5, 2), (179, 3), (180, 3)):
        at(clock, visit, seconds)
        meter_visits(visitation)
        assert now_of(visitation, visit).minutes_charged == minutes, seconds
    assert outside.wallet.references(visit.account_id) == [
        minute_reference(visit.visit_id, n) for n in (1, 2, 3)
    ]
    assert outside.wallet.balances[visit.account_id] == 1000 - 75
    assert now_of(visitation, visit).charged_cents == 75


def test_the_meter_charges_several_visits_at_once_and_stops_when_the_ledger_is_away(
    visitation: Visitation, outside: Outside, clock: Clock
) -> None:
    visits = [started(visitation, clock, outside) for _ in range(6)]
    at(clock, visits[0], 61)
    outside.wallet.unreachable = True
    assert meter_visits(visitation, concurrency=3).minutes_charged == 0
    outside.wallet.unreachable = False
    metered = meter_visits(visitation, concurrency=3)
    assert (metered.visits, metered.minutes_charged) == (6, 12)
    assert meter_visits(visitation, concurrency=3).minutes_charged == 0
    for visit in visits:
        assert outside.wallet.balance(visit.account_id) == 1000 - 50


def test_a_drop_on_our_side_is_credited_once_and_the_call_goes_on(
    visitation: Visitation, outside: Outside, clock: Clock
) -> None:
    visit = started(visitation, clock, outside)
    at(clock, visit, 61)
    meter_visits(visitation)  # minutes 1 and 2
    dropped = moment(visit, 90)
    for _ in range(2):  # the provider's webhook, delivered twice
        change(visitation, visit, "left", Side.STATION, dropped, True)
    at(clock, visit, 95)
    meter_visits(visitation)
    meter_visits(visitation)
    after = now_of(visitation, visit)
    assert (after.status, after.minutes_charged, after.charged_cents) == (
        VisitStatus.INTERRUPTED,
        2,
        50,
    )
    assert (after.credited_cents, after.credit_references) == (
        25,
        [minute_reference(visit.visit_id, 2)],
    )
    assert outside.wallet.refunded == [minute_reference(visit.visit_id, 2)]
    # The station back: the minute given back is not charged again; the next one is.
    change(visitation, visit, "joined", Side.STATION, moment(visit, 100))
    at(clock, visit, 130)  # 90 + 30 connected: in minute 2 still
    meter_visits(visitation)
    assert now_of(visitation, visit).minutes_charged == 2
    at(clock, visit, 131)  # 121 connected: minute 3 begun
    meter_visits(visitation)
    assert now_of(visitation, visit).minutes_charged == 3
    assert outside.wallet.balances[visit.account_id] == 1000 - 50


def test_a_drop_on_the_visitors_side_is_not_credited(
    visitation: Visitation, outside: Outside, clock: Clock
) -> None:
    visit = started(visitation, clock, outside)
    at(clock, visit, 61)
    meter_visits(visitation)
    change(visitation, visit, "left", Side.VISITOR, moment(visit, 90), False)
    at(clock, visit, 95)
    meter_visits(visitation)
    after = now_of(visitation, visit)
    assert (after.status, after.charged_cents, after.credited_cents) == (
        VisitStatus.INTERRUPTED,
        50,
        0,
    )
    assert outside.wallet.refunded == []


def test_a_visit_ended_by_an_officer_is_charged_only_for_its_connected_minutes(
    visitation: Visitation, outside: Outside, clock: Clock
) -> None:
    visit = started(visitation, clock, outside)
    start = visit.started_at
    assert start is not None
    at(clock, visit, 70)
    meter_visits(visitation)  # minutes 1 and 2
    change(visitation, visit, "left", Side.VISITOR, start + 100 * SECOND, False)
    change(visitation, visit, "joined", Side.VISITOR, start + 200 * SECOND)
    at(clock, visit, 225)  # 125 s connected
    meter_visits(visitation)  # minute 3
    at(clock, visit, 230)  # 130 s connected: minute 3 cut short by the officer
    with refused(ReasonMissing, "reason_missing"):
        end_visit_as(visitation, EndVisit(visit.visit_id, "  "), officer())
    with refused(PermissionDenied, "facility_out_of_scope"):
        end_visit_as(visitation, EndVisit(visit.visit_id, "Count"), officer(OTHER_FACILITY))
    ended = end_visit_as(visitation, EndVisit(visit.visit_id, "Facility count"), officer())
    again = end_visit_as(visitation, EndVisit(visit.visit_id, "Facility count"), officer())
    assert (ended.status, ended.end_reason, ended.end_note) == (
        VisitStatus.ENDED,
        EndReason.OFFICER_ENDED,
        "Facility count",
    )
    assert (ended.connected_seconds, ended.ended_at) == (130, start + 230 * SECOND)
    assert (ended.minutes_charged, ended.charged_cents, ended.credited_cents) == (3, 75, 25)
    assert again.version == ended.version
    assert outside.rooms.closed == [visit.visit_id]
    assert outside.wallet.balances[visit.account_id] == 1000 - 50  # two minutes
    at(clock, visit, 400)
    meter_visits(visitation)  # an ended visit is not metered
    assert now_of(visitation, visit).charged_cents == 75


def test_the_visitor_hanging_up_pays_the_minute_they_began(
    visitation: Visitation, outside: Outside, clock: Clock
) -> None:
    visit = started(visitation, clock, outside)
    at(clock, visit, 50)
    meter_visits(visitation)
    at(clock, visit, 65)  # minute 2 begun, not metered yet
    ended = end_visit_as(visitation, EndVisit(visit.visit_id, ""), family(visit.account_id))
    assert (ended.end_reason, ended.minutes_charged, ended.charged_cents) == (
        EndReason.VISITOR_ENDED,
        2,
        50,
    )
    assert ended.credited_cents == 0
    with refused(VisitNotFound, "visit_not_found"):  # someone else's visit
        end_visit_as(visitation, EndVisit(visit.visit_id, ""), family(uuid4()))


def test_a_wallet_that_runs_dry_ends_the_visit_and_never_goes_negative(
    visitation: Visitation, outside: Outside, clock: Clock
) -> None:
    visit = started(visitation, clock, outside, cents=50)  # two minutes
    for seconds in (0, 61):
        at(clock, visit, seconds)
        meter_visits(visitation)
    at(clock, visit, 121)
    metered = meter_visits(visitation)
    after = now_of(visitation, visit)
    assert (after.status, after.end_reason, after.ended_at) == (
        VisitStatus.ENDED,
        EndReason.CREDIT_EXHAUSTED,
        clock.now,
    )
    assert (after.minutes_charged, after.charged_cents, after.credited_cents) == (2, 50, 0)
    assert (metered.credit_exhausted, outside.wallet.balances[visit.account_id]) == (1, 0)
    assert outside.rooms.closed == [visit.visit_id]


def test_an_in_facility_visit_is_never_charged(
    visitation: Visitation, outside: Outside, clock: Clock
) -> None:
    account = uuid4()
    outside.wallet.fund(account, 1000)
    visit = connected(booked(account, VisitKind.IN_FACILITY), clock.now)
    visitation.store.save(visit)
    at(clock, visit, 600)
    meter_visits(visitation)
    ended = end_visit_as(visitation, EndVisit(visit.visit_id, ""), family(account))
    assert (ended.status, ended.connected_seconds, ended.charged_cents) == (
        VisitStatus.ENDED,
        600,
        0,
    )
    assert (ended.price_per_minute_cents, outside.wallet.payments) == (0, {})


def test_a_charge_whose_answer_was_lost_is_charged_once(
    visitation: Visitation, outside: Outside, clock: Clock
) -> None:
    visit = started(visitation, clock, outside)
    at(clock, visit, 61)
    outside.wallet.killed_after_charging = True
    with pytest.raises(ProcessKilled):
        meter_visits(visitation)
    assert now_of(visitation, visit).minutes_charged == 0  # charged, never recorded
    outside.wallet.killed_after_charging = False
    meter_visits(visitation)
    meter_visits(visitation)
    after = now_of(visitation, visit)
    assert (after.minutes_charged, after.charged_cents) == (2, 50)
    assert outside.wallet.balances[visit.account_id] == 1000 - 50


def test_a_lost_charge_the_end_does_not_owe_is_found_and_given_back(
    visitation: Visitation, outside: Outside, clock: Clock
) -> None:
    visit = started(visitation, clock, outside)
    at(clock, visit, 30)
    meter_visits(visitation)
    at(clock, visit, 61)
    outside.wallet.killed_after_charging = True
    with pytest.raises(ProcessKilled):
        meter_visits(visitation)  # minute 2 charged, never recorded
    outside.wallet.killed_after_charging = False
    at(clock, visit, 62)  # the officer cuts minute 2 short: not owed
    ended = end_visit_as(visitation, EndVisit(visit.visit_id, "Lockdown"), officer())
    assert (ended.minutes_charged, ended.charged_cents, ended.credited_cents) == (2, 50, 25)
    assert outside.wallet.balances[visit.account_id] == 1000 - 25


def test_a_minute_charged_as_the_visit_ends_is_given_back(
    visitation: Visitation, outside: Outside, clock: Clock
) -> None:
    visit = started(visitation, clock, outside)
    at(clock, visit, 30)
    meter_visits(visitation)
    at(clock, visit, 61)  # the meter charges minute 2 while an officer ends the visit
    outside.wallet.while_charging = lambda: end_visit_as(
        visitation, EndVisit(visit.visit_id, "Lockdown"), officer()
    )
    meter_visits(visitation)
    after = now_of(visitation, visit)
    assert (after.status, after.minutes_charged, after.charged_cents, after.credited_cents) == (
        VisitStatus.ENDED,
        2,
        50,
        25,
    )
    assert outside.wallet.refunded == [minute_reference(visit.visit_id, 2)]


def test_the_resident_leaving_mid_call_ends_it_and_gives_back_the_minute_cut_short(
    visitation: Visitation, outside: Outside, clock: Clock
) -> None:
    visit = started(visitation, clock, outside)
    at(clock, visit, 61)
    meter_visits(visitation)  # minutes 1 and 2
    gone = ResidentGone(FACILITY, visit.resident_id, CancelledBy.RESIDENT_TRANSFERRED, clock.now)
    for _ in range(2):  # identity's event, delivered twice
        visitation.store.save(*resident_leaving(visitation, gone))
    after = now_of(visitation, visit)
    assert (after.status, after.end_reason, after.ended_at) == (
        VisitStatus.ENDED,
        EndReason.RESIDENT_LEFT,
        clock.now,
    )
    assert (after.charged_cents, after.credited_cents) == (50, 25)
    assert outside.rooms.closed == [visit.visit_id]


def test_the_windows_end_ends_a_connected_visit_there(
    visitation: Visitation, outside: Outside, clock: Clock
) -> None:
    account = uuid4()
    outside.wallet.fund(account, 1000)
    visit = booked(account, slot_minutes=15)
    connected(visit, visit.ends_at - 90 * SECOND)
    visitation.store.save(visit)
    clock.now = visit.ends_at - SECOND
    meter_visits(visitation)  # minutes 1 and 2
    clock.now = visit.ends_at + 40 * SECOND  # the sweep comes late
    meter_visits(visitation)  # charges nothing past the window
    assert now_of(visitation, visit).minutes_charged == 2
    assert end_visits_past_their_window(visitation) == 1
    assert end_visits_past_their_window(visitation) == 0
    ended = now_of(visitation, visit)
    assert (ended.status, ended.end_reason, ended.ended_at) == (
        VisitStatus.ENDED,
        EndReason.WINDOW_OVER,
        visit.ends_at,
    )
    # 90 s connected: minute 2, cut short by the window, given back.
    assert (ended.connected_seconds, ended.charged_cents, ended.credited_cents) == (90, 50, 25)


def test_a_provider_that_cannot_be_reached_leaves_the_visit_going(
    visitation: Visitation, outside: Outside, clock: Clock
) -> None:
    visit = started(visitation, clock, outside)
    outside.rooms.unreachable = True
    at(clock, visit, 30)
    with refused(VideoUnavailable, "video_unavailable"):
        end_visit_as(visitation, EndVisit(visit.visit_id, "Count"), officer())
    assert now_of(visitation, visit).status is VisitStatus.IN_PROGRESS
    outside.rooms.unreachable = False
    ended = end_visit_as(visitation, EndVisit(visit.visit_id, "Count"), officer())
    assert ended.status is VisitStatus.ENDED

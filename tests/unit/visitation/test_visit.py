"""The Visit aggregate's rules: presence and connected time from joins and leaves (late and
repeated ones changing nothing), minutes due, charges and credits once, cancelling, ending and
missing."""

from __future__ import annotations

from datetime import UTC
from datetime import datetime
from datetime import timedelta
from uuid import uuid4

import pytest
from kinlink_kit.errors import FailedPrecondition
from kinlink_kit.errors import InvalidArgument
from kinlink_kit.testing import refused
from kinlink_visitation.domain.visit import CancelledBy
from kinlink_visitation.domain.visit import CreditReason
from kinlink_visitation.domain.visit import EndReason
from kinlink_visitation.domain.visit import InterruptedSide
from kinlink_visitation.domain.visit import Side
from kinlink_visitation.domain.visit import Visit
from kinlink_visitation.domain.visit import VisitKind
from kinlink_visitation.domain.visit import VisitStatus

STARTS = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)


def at(seconds: float) -> datetime:
    return STARTS + timedelta(seconds=seconds)


def visit(kind: VisitKind = VisitKind.REMOTE, price: int = 25) -> Visit:
    return Visit.schedule(
        uuid4(),
        account_id=uuid4(),
        facility_id="FAC-DEMO",
        resident_id="R-1001",
        kind=kind,
        station=2,
        starts_at=STARTS,
        slot_minutes=30,
        price_per_minute_cents=price,
        facility_time_zone="America/Chicago",
        at=STARTS - timedelta(days=2),
    )


def connected(seconds: float = 0) -> Visit:
    booked = visit()
    booked.joined(Side.VISITOR, at(seconds))
    booked.joined(Side.STATION, at(seconds + 1))
    return booked


def event_names(booked: Visit) -> list[str]:
    return [type(event).__name__ for event in booked.collect_events()]


def test_a_visit_is_booked_for_its_window_at_the_price_frozen_then() -> None:
    booked = visit()
    assert booked.status is VisitStatus.SCHEDULED
    assert booked.ends_at == STARTS + timedelta(minutes=30)
    assert booked.price_per_minute_cents == 25
    assert booked.books_its_window


def test_an_in_facility_visit_is_free_whatever_the_facility_charges() -> None:
    booked = visit(VisitKind.IN_FACILITY, price=25)
    assert booked.price_per_minute_cents == 0
    booked.joined(Side.VISITOR, at(0))
    booked.joined(Side.STATION, at(0))
    assert booked.minutes_due(at(600)) == 0


def test_both_sides_present_start_the_visit_once_and_a_return_resumes_it() -> None:
    booked = visit()
    booked.joined(Side.STATION, at(0))
    assert booked.status is VisitStatus.SCHEDULED
    booked.joined(Side.VISITOR, at(10))
    assert (booked.status, booked.started_at) == (VisitStatus.IN_PROGRESS, at(10))
    booked.left(Side.STATION, at(70), ours=True)
    assert (booked.status, booked.interruptions) == (VisitStatus.INTERRUPTED, 1)
    booked.joined(Side.STATION, at(100))
    assert booked.status is VisitStatus.IN_PROGRESS
    assert booked.started_at == at(10)
    assert event_names(booked) == ["Scheduled", "Joined", "Started", "Interrupted", "Resumed"]


def test_connected_time_adds_the_stretches_with_both_present() -> None:
    booked = connected(0)  # both present from 1 s
    booked.left(Side.VISITOR, at(61), ours=False)  # 60 s
    booked.joined(Side.VISITOR, at(200))
    assert booked.connected_seconds_at(at(230)) == 90  # and 30 s of the open stretch
    assert booked.connected_since == at(200)


def test_every_minute_begun_is_due() -> None:
    booked = connected(0)
    assert booked.minutes_due(at(1)) == 0
    assert booked.minutes_due(at(1.5)) == 1
    assert booked.minutes_due(at(61)) == 1
    assert booked.minutes_due(at(62)) == 2


@pytest.mark.parametrize("late", [15, 20], ids=["older", "same time"])
def test_a_join_at_or_before_the_last_leave_of_its_side_changes_nothing(late: float) -> None:
    booked = visit()
    booked.joined(Side.VISITOR, at(10))
    booked.left(Side.VISITOR, at(20), ours=False)
    booked.collect_events()
    booked.joined(Side.VISITOR, at(late))
    assert booked.collect_events() == []
    assert booked.presence[Side.VISITOR] is False


def test_a_leave_older_than_the_join_it_follows_changes_nothing() -> None:
    booked = connected(10)
    booked.collect_events()
    booked.left(Side.VISITOR, at(5), ours=False)
    assert booked.collect_events() == []
    assert booked.status is VisitStatus.IN_PROGRESS


def test_a_repeated_join_changes_nothing() -> None:
    booked = connected(0)
    booked.collect_events()
    booked.joined(Side.VISITOR, at(30))
    assert booked.collect_events() == []


def test_the_interruption_says_whose_side_it_was() -> None:
    booked = connected(0)
    booked.left(Side.VISITOR, at(30), ours=False)
    interrupted = booked.collect_events()[-1]
    assert isinstance(interrupted, Visit.Interrupted)
    assert (interrupted.side, interrupted.ours) == (InterruptedSide.VISITOR, False)


def test_the_provider_closing_the_room_interrupts_on_our_side_and_empties_it() -> None:
    booked = connected(0)
    booked.room_finished(at(31))
    interrupted = booked.collect_events()[-1]
    assert isinstance(interrupted, Visit.Interrupted)
    assert (interrupted.side, interrupted.ours) == (InterruptedSide.PROVIDER, True)
    assert not booked.anyone_present
    assert booked.connected_seconds == 30
    booked.left(Side.STATION, at(31), ours=True)  # the participant's own webhook, after
    assert booked.interruptions == 1


def test_minutes_are_charged_in_order_each_once() -> None:
    booked = connected(0)
    booked.minute_charged(1, 25, "visit:x:minute:1")
    booked.minute_charged(1, 25, "visit:x:minute:1")
    booked.minute_charged(2, 25, "visit:x:minute:2")
    assert (booked.minutes_charged, booked.charged_cents) == (2, 50)
    with refused(FailedPrecondition, "minute_out_of_order", None):
        booked.minute_charged(4, 25, "visit:x:minute:4")


def test_credits_are_given_once_per_reference_and_never_above_what_was_charged() -> None:
    booked = connected(0)
    booked.minute_charged(1, 25, "m1")
    booked.minute_charged(2, 25, "m2")
    booked.credited(25, CreditReason.CUT_SHORT, "r2")
    booked.credited(25, CreditReason.CUT_SHORT, "r2")
    assert booked.credited_cents == 25
    with refused(FailedPrecondition, "credit_above_charged", None):
        booked.credited(26, CreditReason.REFUND_APPROVED, "refund:1")
    with refused(InvalidArgument, "amount_not_positive", None):
        booked.credited(0, CreditReason.REFUND_APPROVED, "refund:2")
    booked.credited(25, CreditReason.REFUND_APPROVED, "refund:1")
    assert booked.credited_cents == booked.charged_cents == 50


def test_only_a_scheduled_visit_is_cancelled_and_again_changes_nothing() -> None:
    booked = visit()
    booked.cancel(CancelledBy.VISITOR, "", at(-3600))
    booked.cancel(CancelledBy.FACILITY, "again", at(-60))
    assert (booked.status, booked.cancelled_by, booked.cancelled_at) == (
        VisitStatus.CANCELLED,
        CancelledBy.VISITOR,
        at(-3600),
    )
    assert not booked.books_its_window
    with refused(FailedPrecondition, "visit_not_cancellable", None):
        connected(0).cancel(CancelledBy.VISITOR, "", at(30))


def test_ending_closes_the_open_stretch_and_nothing_changes_after() -> None:
    booked = connected(0)
    booked.end(EndReason.OFFICER_ENDED, at(91), "lockdown")
    assert (booked.status, booked.end_reason, booked.end_note) == (
        VisitStatus.ENDED,
        EndReason.OFFICER_ENDED,
        "lockdown",
    )
    assert booked.connected_seconds_at(at(500)) == 90
    booked.collect_events()
    booked.joined(Side.VISITOR, at(100))
    booked.end(EndReason.WINDOW_OVER, at(1800))
    assert booked.collect_events() == []


def test_leaves_reported_after_the_ending_began_do_not_lengthen_the_visit() -> None:
    # The end is timed, then the room is closed, and the provider's reports of the sides
    # leaving may be recorded before the end is: the connected time still stops at the end.
    booked = connected(0)
    booked.left(Side.STATION, at(125), ours=True)
    booked.end(EndReason.OFFICER_ENDED, at(121), "count")
    assert booked.connected_seconds_at(at(500)) == 120


def test_once_the_end_begins_the_rooms_news_is_the_ends_and_changes_nothing() -> None:
    # The end is begun before the room is closed; the leaves the closing causes are ours, and
    # must not interrupt the visit on our side (its minute in progress would be given back).
    booked = connected(0)
    booked.begin_end(EndReason.VISITOR_ENDED, at(150), "bye")
    booked.begin_end(EndReason.WINDOW_OVER, at(1800))  # the first end begun is the one
    assert event_names(booked)[-1:] == ["EndBegun"]
    booked.left(Side.STATION, at(151), ours=True)
    booked.room_finished(at(151))
    booked.joined(Side.VISITOR, at(152))
    assert booked.collect_events() == []
    assert (booked.status, booked.interruptions) == (VisitStatus.IN_PROGRESS, 0)
    assert booked.ending == (EndReason.VISITOR_ENDED, at(150), "bye")
    booked.end(EndReason.VISITOR_ENDED, at(150), "bye")
    assert (booked.status, booked.ending, booked.connected_seconds_at(at(500))) == (
        VisitStatus.ENDED,
        None,
        149,
    )


def test_an_end_begins_only_for_a_visit_that_can_end() -> None:
    with refused(FailedPrecondition, "visit_not_in_progress", None):
        visit().begin_end(EndReason.VISITOR_ENDED, at(0))


def test_a_visit_nobody_joined_cannot_be_ended_but_one_with_a_side_waiting_can() -> None:
    with refused(FailedPrecondition, "visit_not_in_progress", None):
        visit().end(EndReason.VISITOR_ENDED, at(0))
    waiting = visit()
    waiting.joined(Side.VISITOR, at(0))
    waiting.end(EndReason.RESIDENT_LEFT, at(60))
    assert (waiting.status, waiting.connected_seconds) == (VisitStatus.ENDED, 0)


def test_a_visit_that_never_connected_is_missed_with_nothing_due() -> None:
    booked = visit()
    booked.joined(Side.VISITOR, at(0))
    booked.missed(at(1800))
    booked.missed(at(1900))
    assert (booked.status, booked.ended_at) == (VisitStatus.MISSED, at(1800))
    assert booked.minutes_due(at(1900)) == 0
    with refused(FailedPrecondition, "visit_not_missable", None):
        connected(0).missed(at(1800))

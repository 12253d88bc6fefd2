"""What a visit owes without a store: every minute begun (minute n once the connected time
passes (n-1)·60 s), less the one in progress when our side cut it short; an in-facility visit
nothing; whether the minute in progress was cut short on our side, by an ending or by the
interruption the visit is in."""

from __future__ import annotations

from uuid import uuid4

import pytest
from kinlink_visitation.domain.visit import EndReason
from kinlink_visitation.domain.visit import Side
from kinlink_visitation.domain.visit import Visit
from kinlink_visitation.domain.visit import VisitKind
from kinlink_visitation.service_layer.minutes import cut_short_by_us
from kinlink_visitation.service_layer.minutes import minutes_owed

from tests.visitation_money import SECOND
from tests.visitation_money import STARTS_AT
from tests.visitation_money import booked
from tests.visitation_money import connected


def in_progress(kind: VisitKind = VisitKind.REMOTE) -> Visit:
    return connected(booked(uuid4(), kind), STARTS_AT)


@pytest.mark.parametrize(
    ("seconds", "owed", "owed_cut_short"),
    [(0, 0, 0), (0.5, 1, 0), (60, 1, 1), (60.001, 2, 1), (119, 2, 1), (120, 2, 2), (121, 3, 2)],
)
def test_every_minute_begun_is_owed_but_one_our_side_cut_short(
    seconds: float, owed: int, owed_cut_short: int
) -> None:
    visit = in_progress()
    at = STARTS_AT + seconds * SECOND
    assert (minutes_owed(visit, at, False), minutes_owed(visit, at, True)) == (
        owed,
        owed_cut_short,
    )
    assert minutes_owed(in_progress(VisitKind.IN_FACILITY), at, False) == 0


@pytest.mark.parametrize(
    ("ending", "ours"),
    [
        (EndReason.OFFICER_ENDED, True),
        (EndReason.WINDOW_OVER, True),
        (EndReason.RESIDENT_LEFT, True),
        (EndReason.VISITOR_ENDED, False),
        (EndReason.CREDIT_EXHAUSTED, False),
        (None, False),  # metered while connected: nothing is cut short
    ],
)
def test_an_ending_cuts_the_minute_short_on_our_side_or_the_visitors(
    ending: EndReason | None, ours: bool
) -> None:
    assert cut_short_by_us(in_progress(), ending) is ours


@pytest.mark.parametrize(("side", "ours"), [(Side.STATION, True), (Side.VISITOR, False)])
def test_an_interruption_is_ours_when_the_station_dropped_whatever_ends_it_later(
    side: Side, ours: bool
) -> None:
    visit = in_progress()
    visit.left(side, STARTS_AT + 90 * SECOND, ours=ours)
    assert cut_short_by_us(visit) is ours
    # The visit, interrupted, is not connected: an ending cuts nothing more short.
    assert cut_short_by_us(visit, EndReason.OFFICER_ENDED) is ours
    visit.joined(side, STARTS_AT + 100 * SECOND)
    assert cut_short_by_us(visit) is False  # connected again

"""An allowance's rules without a store: it pays at most what is left and only for purchases
made in its period while active; ending it twice changes nothing; the ledger's end settles it
from either state; a purchase takes allowances in the order given, the rest from the resident's
own balance."""

from __future__ import annotations

from datetime import UTC
from datetime import datetime
from datetime import timedelta
from uuid import uuid4

from kinlink_commissary.domain.allowance import Allowance
from kinlink_commissary.domain.allowance import AllowanceStatus
from kinlink_commissary.domain.ports import AllowanceRequest
from kinlink_commissary.domain.ports import Hold
from kinlink_commissary.domain.purchase import Purchase

NOW = datetime(2026, 11, 25, 18, tzinfo=UTC)
PERIOD = timedelta(days=3)


def allowance(amount_cents: int = 1000, held: bool = True) -> Allowance:
    request = AllowanceRequest(uuid4(), "FAC-1", "R-1", amount_cents, "pm_card_visa")
    hold = Hold(held=True) if held else Hold(held=False, decline_reason="card_declined")
    return Allowance.answered(uuid4(), request, hold, NOW, PERIOD)


def test_it_pays_at_most_what_is_left() -> None:
    given = allowance(1000)
    assert given.pay("O-1", 700, NOW) == 700
    assert given.pay("O-2", 700, NOW) == 300
    assert given.pay("O-3", 700, NOW) == 0
    assert (given.used_cents, given.left_cents) == (1000, 0)
    assert [u.order_reference for u in given.uses] == ["O-1", "O-2"]


def test_it_pays_only_for_purchases_made_in_its_period() -> None:
    given = allowance(1000)
    assert given.pay("O-before", 100, NOW - timedelta(seconds=1)) == 0
    assert given.pay("O-at-end", 100, NOW + PERIOD) == 0
    assert given.pay("O-last", 100, NOW + PERIOD - timedelta(microseconds=1)) == 100


def test_a_declined_or_ended_allowance_pays_nothing_and_ends_once() -> None:
    declined = allowance(held=False)
    assert (declined.status, declined.pay("O-1", 100, NOW)) == (AllowanceStatus.DECLINED, 0)
    declined.end(NOW)
    assert declined.status is AllowanceStatus.DECLINED

    ended = allowance()
    ended.end(NOW + timedelta(hours=1))
    ended.end(NOW + timedelta(hours=2))
    assert (ended.status, ended.ended_at) == (AllowanceStatus.ENDING, NOW + timedelta(hours=1))
    assert ended.pay("O-1", 100, NOW) == 0
    assert [type(e).__name__ for e in ended.collect_events()] == ["Created", "Ended"]


def test_the_ledgers_end_settles_it_whether_it_ended_here_first_or_not() -> None:
    ending, active = allowance(), allowance()
    ending.pay("O-1", 400, NOW)
    ending.end(NOW + timedelta(hours=1))
    ending.settle(400, 600, "KL-1", NOW + timedelta(hours=2))
    active.settle(0, 1000, "", NOW + timedelta(days=6))
    active.settle(0, 1000, "", NOW + timedelta(days=7))  # told twice: settled once

    assert (ending.status, ending.captured_cents, ending.released_cents) == (
        AllowanceStatus.ENDED,
        400,
        600,
    )
    assert ending.ended_at == NOW + timedelta(hours=1)
    assert (active.status, active.left_cents, active.ended_at) == (
        AllowanceStatus.ENDED,
        0,
        NOW + timedelta(days=6),
    )


def test_a_purchase_takes_allowances_in_order_and_the_rest_is_the_residents_own() -> None:
    first, second, third = allowance(300), allowance(500), allowance(1000)
    small = Purchase.paid_from("FAC-1", "O-1", "R-1", 700, NOW, [first, second, third])
    large = Purchase.paid_from("FAC-1", "O-2", "R-1", 1500, NOW, [first, second, third])
    left = Purchase.paid_from("FAC-1", "O-3", "R-1", 900, NOW, [first, second, third])

    assert small.paid_by_allowances == {str(first.allowance_id): 300, str(second.allowance_id): 400}
    assert third.uses[0].order_reference == "O-2"  # untouched by the first purchase
    assert large.paid_by_allowances == {
        str(second.allowance_id): 100,
        str(third.allowance_id): 1000,
    }
    assert (large.from_own_balance_cents, left.from_own_balance_cents) == (400, 900)
    assert left.paid_by_allowances == {}

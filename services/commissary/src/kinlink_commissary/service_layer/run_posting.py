"""RunPosting and the scheduled posting: a facility's orders waiting to be charged are charged,
each ending PAID or INCOMPLETE with the reason (FAQ: "you will be charged when the facility's
orders post ... emailed a receipt when the order is processed").

Each order is saved PROCESSING under a new attempt before the ledger is asked, one order at a
time, so a run stopped anywhere (a crash, a kill) leaves at most the order in flight
unanswered; a rerun asks it again with the same attempt and charges nothing twice. A cancel
racing the run collides on the order's version: either it is saved first (the run finds the
order CANCELLED and leaves it) or the run is (the cancel is refused, `order_being_processed`).
"""

from __future__ import annotations

from collections import Counter
from datetime import date
from uuid import UUID

from kinlink_kit.logging import get_logger

from kinlink_commissary.domain.order import Order
from kinlink_commissary.domain.order import OrderNotFound
from kinlink_commissary.domain.order import OrderStatus
from kinlink_commissary.domain.order import ResidentLeft
from kinlink_commissary.domain.posting_run import PostingRun
from kinlink_commissary.domain.posting_run import PostingRunNotFound
from kinlink_commissary.domain.posting_run import due_run_date
from kinlink_commissary.domain.posting_run import local_run_date
from kinlink_commissary.service_layer.charge_order import charge_in_turn
from kinlink_commissary.service_layer.commissary import Commissary
from kinlink_commissary.service_layer.resident_left import left_facility

log = get_logger(__name__)


def run_posting(commissary: Commissary, facility_id: str) -> PostingRun:
    """Today's run at the facility (its local day), started again if it ran already."""
    facility = commissary.facilities.facility(facility_id)
    return _post(commissary, facility_id, local_run_date(facility.time_zone, commissary.clock()))


def _post(commissary: Commissary, facility_id: str, run_date: date) -> PostingRun:
    started = commissary.clock()

    def starting(run: PostingRun) -> PostingRun:
        if run.finished:
            run.restart(started)
        return run

    run = commissary.change(
        PostingRun.create_id(facility_id, run_date),
        PostingRun,
        starting,
        create=lambda: PostingRun.start(facility_id, run_date, started),
    )
    outcomes: Counter[OrderStatus] = Counter()
    for order_id in commissary.views.orders.to_post(facility_id):
        order = _take(commissary, order_id)
        if order is not None:
            outcomes[charge_in_turn(commissary, order).status] += 1

    def finishing(run: PostingRun) -> PostingRun:
        run.finish(
            outcomes.total(),
            outcomes[OrderStatus.PAID],
            outcomes[OrderStatus.INCOMPLETE],
            outcomes[OrderStatus.PROCESSING],
            commissary.clock(),
        )
        return run

    finished = commissary.change(run.id, PostingRun, finishing, missing=PostingRunNotFound)
    log.info(
        "posting run finished",
        facility_id=facility_id,
        run_date=run_date.isoformat(),
        orders=finished.orders_total,
        paid=finished.paid,
        incomplete=finished.incomplete,
        still_processing=finished.still_processing,
    )
    return finished


def _take(commissary: Commissary, order_id: UUID) -> Order | None:
    """The order saved PROCESSING (a new attempt, or the one in flight), or None when it is
    not to be charged any more (cancelled, paid, changed back to incomplete meanwhile). An order
    of a resident who has left is cancelled instead: their leaving reaches orders through the
    orders' view, which may have missed one placed a moment before."""

    def taking(order: Order) -> Order | None:
        now = commissary.clock()
        left = left_facility(commissary, order.facility_id, order.resident_id)
        if left is not ResidentLeft.NONE and order.resident_gone(left, now):
            return None
        return order if order.start_processing(now) else None

    return commissary.change(order_id, Order, taking, missing=OrderNotFound)


def get_posting_run(commissary: Commissary, facility_id: str, run_date: date) -> PostingRun:
    run = commissary.find(PostingRun.create_id(facility_id, run_date), PostingRun, to_change=False)
    if run is None:
        raise PostingRunNotFound()
    return run


def post_scheduled(commissary: Commissary) -> list[PostingRun]:
    """The scheduler's round: each facility with orders waiting whose posting day and time
    have come, and whose run of that day has not finished, is posted."""
    now = commissary.clock()
    runs: list[PostingRun] = []
    for facility_id in commissary.views.orders.facilities_waiting():
        facility = commissary.facilities.facility(facility_id)
        run_date = due_run_date(
            facility.commissary_posting_day.value,
            facility.commissary_posting_time,
            facility.time_zone,
            now,
        )
        if run_date is None:
            continue
        done = commissary.find(PostingRun.create_id(facility_id, run_date), PostingRun)
        if done is None or not done.finished:
            runs.append(_post(commissary, facility_id, run_date))
    return runs

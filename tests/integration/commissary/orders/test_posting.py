"""Posting runs on both stores: the facility's orders ready to process are charged, each PAID
or INCOMPLETE with the reason; a rerun charges nothing twice; the scheduler posts on the
facility's posting day from its posting time; the processing sweep asks again about answers
lost."""

from __future__ import annotations

from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta
from uuid import UUID

from kinlink_commissary.domain.order import CancelledReason
from kinlink_commissary.domain.order import OrderStatus
from kinlink_commissary.domain.order import ResidentLeft
from kinlink_commissary.domain.ports import ChargeRequest
from kinlink_commissary.domain.ports import OrderCharge
from kinlink_commissary.domain.posting_run import PostingRun
from kinlink_commissary.service_layer.commissary import Commissary
from kinlink_commissary.service_layer.run_posting import get_posting_run
from kinlink_commissary.service_layer.run_posting import post_scheduled
from kinlink_commissary.service_layer.run_posting import run_posting
from kinlink_commissary.service_layer.settle_orders import settle_orders
from kinlink_contracts.facility import ResidentReleased
from kinlink_contracts.facility_settings import CommissaryPaymentMode
from kinlink_contracts.facility_settings import Weekday
from kinlink_kit.consumer import event_tracking
from kinlink_kit.errors import NotFound
from kinlink_kit.residents import CUSTODY_HANDLERS
from kinlink_kit.testing import Clock
from kinlink_kit.testing import refused

from tests.commissary_doubles import configure
from tests.commissary_doubles import envelope
from tests.commissary_doubles import release
from tests.commissary_orders import FACILITY
from tests.commissary_orders import RESIDENT
from tests.commissary_orders import MemoryLedger
from tests.integration.commissary.orders.conftest import place


def status_of(commissary: Commissary, order_id: UUID) -> OrderStatus:
    return commissary.store.repository.get(order_id).status


def test_a_run_charges_the_ready_orders_and_leaves_the_others(
    commissary: Commissary, family: UUID, ledger: MemoryLedger, clock: Clock
) -> None:
    ready = [place(commissary, family) for _ in range(3)]
    declined = place(commissary, family, "pm_card_chargeDeclinedInsufficientFunds")
    incomplete = place(commissary, family, "")
    run = run_posting(commissary, FACILITY)
    assert (run.run_date, run.orders_total, run.paid, run.incomplete, run.still_processing) == (
        date(2026, 11, 25),
        4,
        3,
        1,
        0,
    )
    assert run.finished_at == clock.now
    assert [status_of(commissary, order.id) for order in ready] == [OrderStatus.PAID] * 3
    assert commissary.store.repository.get(declined.id).incomplete_reason == "insufficient_funds"
    assert status_of(commissary, incomplete.id) is OrderStatus.INCOMPLETE
    assert sorted(order_id for order_id, _, _ in ledger.processor_charges) == sorted(
        order.id for order in ready
    )
    assert get_posting_run(commissary, FACILITY, date(2026, 11, 25)).paid == 3


def test_a_rerun_charges_nothing_twice_and_finishes_what_was_left_processing(
    commissary: Commissary, family: UUID, ledger: MemoryLedger
) -> None:
    orders = [place(commissary, family) for _ in range(3)]
    ledger.lose_answers = True
    first = run_posting(commissary, FACILITY)
    assert (first.paid, first.still_processing) == (0, 3)
    ledger.lose_answers = False
    second = run_posting(commissary, FACILITY)
    assert (second.orders_total, second.paid, second.still_processing) == (3, 3, 0)
    third = run_posting(commissary, FACILITY)
    assert third.orders_total == 0
    assert [ledger.charged_cents(order.id) for order in orders] == [600, 600, 600]
    assert {request.attempt for request in ledger.asked} == {1}


def test_a_run_of_a_day_without_one_is_not_found(commissary: Commissary) -> None:
    with refused(NotFound, "posting_run_not_found"):
        get_posting_run(commissary, FACILITY, date(2026, 11, 24))


def test_the_scheduler_posts_on_the_posting_day_from_the_posting_time_once(
    commissary: Commissary, family: UUID, clock: Clock
) -> None:
    configure(
        commissary,
        FACILITY,
        2,
        commissary_posting_day=Weekday.THURSDAY,
        commissary_posting_time=time(6, 30),
    )
    order = place(commissary, family)
    clock.now = datetime(2026, 11, 26, 12, 29, tzinfo=UTC)  # Thursday 06:29 in Chicago
    assert post_scheduled(commissary) == []
    clock.now = datetime(2026, 11, 26, 12, 30, tzinfo=UTC)
    [run] = post_scheduled(commissary)
    assert (run.run_date, run.paid) == (date(2026, 11, 26), 1)
    assert status_of(commissary, order.id) is OrderStatus.PAID
    later = place(commissary, family)
    clock.now += timedelta(hours=3)
    assert post_scheduled(commissary) == []  # the day's run is done: next week's takes it
    assert status_of(commissary, later.id) is OrderStatus.READY_TO_PROCESS
    clock.now = datetime(2026, 12, 3, 12, 30, tzinfo=UTC)
    [next_week] = post_scheduled(commissary)
    assert next_week.id == PostingRun.create_id(FACILITY, date(2026, 12, 3))
    assert status_of(commissary, later.id) is OrderStatus.PAID


def test_the_processing_sweep_asks_again_about_orders_left_processing_a_while(
    commissary: Commissary, family: UUID, ledger: MemoryLedger, clock: Clock
) -> None:
    configure(commissary, FACILITY, 2, commissary_payment_mode=CommissaryPaymentMode.PAY_AT_ORDER)
    ledger.lose_answers = True
    order = place(commissary, family)
    ledger.lose_answers = False
    clock.now += timedelta(minutes=4)
    assert settle_orders(commissary, timedelta(minutes=5)) == []
    clock.now += timedelta(minutes=1)
    [settled] = settle_orders(commissary, timedelta(minutes=5))
    assert (settled.id, settled.status, settled.attempt) == (order.id, OrderStatus.PAID, 1)
    assert ledger.charged_cents(order.id) == 600
    assert settle_orders(commissary, timedelta(minutes=5)) == []


def test_an_order_the_ledger_fails_on_does_not_stop_the_others(
    commissary: Commissary, family: UUID, ledger: MemoryLedger
) -> None:
    orders = [place(commissary, family) for _ in range(3)]
    broken = orders[1].id
    charge = ledger.charge

    def failing_on_one(request: ChargeRequest) -> OrderCharge:
        if request.order_id == broken:
            raise RuntimeError("the ledger answered something unexpected")
        return charge(request)

    ledger.charge = failing_on_one  # type: ignore[method-assign]
    run = run_posting(commissary, FACILITY)
    assert (run.orders_total, run.paid, run.still_processing) == (3, 2, 1)
    assert [status_of(commissary, order.id) for order in orders] == [
        OrderStatus.PAID,
        OrderStatus.PROCESSING,
        OrderStatus.PAID,
    ]


def test_the_sweep_goes_on_past_an_order_the_ledger_fails_on(
    commissary: Commissary, family: UUID, ledger: MemoryLedger, clock: Clock
) -> None:
    configure(commissary, FACILITY, 2, commissary_payment_mode=CommissaryPaymentMode.PAY_AT_ORDER)
    ledger.lose_answers = True
    first, second = place(commissary, family), place(commissary, family)
    ledger.lose_answers = False
    charge = ledger.charge

    def failing_on_first(request: ChargeRequest) -> OrderCharge:
        if request.order_id == first.id:
            raise RuntimeError("the ledger answered something unexpected")
        return charge(request)

    ledger.charge = failing_on_first  # type: ignore[method-assign]
    clock.now += timedelta(minutes=5)
    settled = settle_orders(commissary, timedelta(minutes=5))
    assert sorted((o.id, o.status) for o in settled) == sorted(
        [(first.id, OrderStatus.PROCESSING), (second.id, OrderStatus.PAID)]
    )


def test_orders_being_charged_when_their_resident_left_are_marked_or_cancelled_once_answered(
    commissary: Commissary, family: UUID, ledger: MemoryLedger, clock: Clock
) -> None:
    # The resident's release is told while the ledger has not answered: the orders in flight
    # are left to their charge, and their answer must not leave a pack paid for a resident gone
    # unmarked, nor an unpaid order open for them.
    paid_later = place(commissary, family)
    declined_later = place(commissary, family, "pm_card_chargeDeclined")
    ledger.unavailable = True
    assert run_posting(commissary, FACILITY).still_processing == 2
    release(commissary, RESIDENT, FACILITY)
    ledger.unavailable = False
    clock.now += timedelta(minutes=5)
    settle_orders(commissary, timedelta(minutes=5))
    paid = commissary.store.repository.get(paid_later.id)
    assert (paid.status, paid.resident_left) == (OrderStatus.PAID, ResidentLeft.RELEASED)
    declined = commissary.store.repository.get(declined_later.id)
    assert (declined.status, declined.cancelled_reason) == (
        OrderStatus.CANCELLED,
        CancelledReason.RESIDENT_RELEASED,
    )


def test_a_run_charges_no_order_of_a_resident_who_left_though_their_leaving_missed_it(
    commissary: Commissary, family: UUID, ledger: MemoryLedger
) -> None:
    # The leaving reaches orders through the orders' view, which may not have caught up with
    # an order placed a moment before: the run checks the resident itself before charging.
    ready = place(commissary, family)
    released = ResidentReleased(facility_id=FACILITY, resident_id=RESIDENT)
    told = envelope(released, RESIDENT, "identity")
    CUSTODY_HANDLERS[told.type](commissary, told, event_tracking(told.event_id))
    run = run_posting(commissary, FACILITY)
    assert (run.orders_total, run.paid) == (0, 0)
    order = commissary.store.repository.get(ready.id)
    assert (order.status, order.cancelled_reason) == (
        OrderStatus.CANCELLED,
        CancelledReason.RESIDENT_RELEASED,
    )
    assert ledger.processor_charges == []

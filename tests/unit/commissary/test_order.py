"""The order's rules without infrastructure: its statuses by payment mode, what may change when,
numbered charge attempts, and what follows payment (tracking, overdue, the resident leaving)."""

from datetime import UTC
from datetime import datetime
from datetime import timedelta
from uuid import uuid4

import pytest
from kinlink_commissary.domain.order import CancelledReason
from kinlink_commissary.domain.order import Fulfilment
from kinlink_commissary.domain.order import Order
from kinlink_commissary.domain.order import OrderItem
from kinlink_commissary.domain.order import OrderStatus
from kinlink_commissary.domain.order import PackDecision
from kinlink_commissary.domain.order import ResidentLeft
from kinlink_commissary.domain.order import pack_decision
from kinlink_kit.errors import FailedPrecondition
from kinlink_kit.errors import InvalidArgument
from kinlink_kit.testing import refused

NOW = datetime(2026, 11, 25, 18, 0, tzinfo=UTC)
SOAP = OrderItem("SOAP-1", "Soap", 2, 150)
NOODLES = OrderItem("NOOD-3", "Noodles", 5, 75)


def placed(payment_method: str = "pm_card_visa", *, pay_at_order: bool = False) -> Order:
    return Order.place(
        uuid4(),
        uuid4(),
        "FAC-1",
        "R-1",
        "Acme Commissary",
        (SOAP, NOODLES),
        payment_method,
        pay_at_order=pay_at_order,
        at=NOW,
    )


def paid() -> Order:
    order = placed()
    assert order.start_processing(NOW)
    order.record_payment("C-000123", NOW)
    return order


def test_prices_are_frozen_and_totalled_when_placed() -> None:
    order = placed()
    assert order.items == (SOAP, NOODLES)
    assert (order.total_cents, order.item_count) == (2 * 150 + 5 * 75, 7)


def test_without_a_payment_method_the_order_is_incomplete_with_the_reason() -> None:
    order = placed("  ")
    assert order.status is OrderStatus.INCOMPLETE
    assert order.incomplete_reason == "payment_method_missing"


def test_where_orders_post_a_method_makes_it_ready_to_process_and_no_attempt_yet() -> None:
    order = placed()
    assert (order.status, order.attempt) == (OrderStatus.READY_TO_PROCESS, 0)


def test_at_a_pay_at_order_facility_it_is_processing_under_attempt_one() -> None:
    order = placed(pay_at_order=True)
    assert (order.status, order.attempt) == (OrderStatus.PROCESSING, 1)


def test_a_decline_leaves_it_incomplete_with_the_reason_and_a_new_card_is_a_new_attempt() -> None:
    order = placed(pay_at_order=True)
    order.record_decline("insufficient_funds", NOW)
    assert (order.status, order.incomplete_reason) == (OrderStatus.INCOMPLETE, "insufficient_funds")
    order.change(order.vendor, None, "pm_card_mastercard", pay_at_order=True, at=NOW)
    assert (order.status, order.attempt, order.payment_method) == (
        OrderStatus.PROCESSING,
        2,
        "pm_card_mastercard",
    )
    assert order.incomplete_reason is None


def test_an_order_found_processing_keeps_its_attempt() -> None:
    order = placed()
    assert order.start_processing(NOW) and order.attempt == 1
    assert order.start_processing(NOW + timedelta(minutes=5)) and order.attempt == 1


def test_only_a_processing_order_is_paid_and_a_repeated_answer_changes_nothing() -> None:
    order = placed()
    order.record_payment("C-1", NOW)
    assert order.status is OrderStatus.READY_TO_PROCESS
    order = paid()
    order.record_payment("C-2", NOW + timedelta(hours=1))
    order.record_decline("card_declined", NOW)
    assert (order.status, order.receipt_number, order.paid_at) == (
        OrderStatus.PAID,
        "C-000123",
        NOW,
    )
    assert not order.start_processing(NOW)


def test_a_change_replaces_the_lines_keeps_the_method_and_submits_again() -> None:
    order = placed("")
    cheaper = (OrderItem("SOAP-1", "Soap", 1, 120),)
    order.change("Acme Commissary", cheaper, None, pay_at_order=False, at=NOW)
    assert (order.items, order.total_cents, order.status) == (cheaper, 120, OrderStatus.INCOMPLETE)
    order.change(order.vendor, None, "pm_card_visa", pay_at_order=False, at=NOW)
    assert (order.items, order.status) == (cheaper, OrderStatus.READY_TO_PROCESS)


@pytest.mark.parametrize("code", ["order_being_processed", "order_not_changeable"])
def test_processing_paid_and_cancelled_orders_cannot_change(code: str) -> None:
    order = placed()
    order.start_processing(NOW)
    if code == "order_not_changeable":
        order.record_payment("C-1", NOW)
    with refused(FailedPrecondition, code):
        order.change(order.vendor, None, "pm_x", pay_at_order=False, at=NOW)
    with refused(FailedPrecondition, code):
        order.cancel(CancelledReason.BY_USER, NOW)


def test_a_cancelled_order_stays_cancelled_and_cannot_change() -> None:
    order = placed()
    order.cancel(CancelledReason.BY_USER, NOW)
    order.cancel(CancelledReason.BY_USER, NOW + timedelta(hours=1))
    assert (order.status, order.cancelled_reason, order.cancelled_at) == (
        OrderStatus.CANCELLED,
        CancelledReason.BY_USER,
        NOW,
    )
    assert not order.start_processing(NOW)
    with refused(FailedPrecondition, "order_not_changeable"):
        order.change(order.vendor, None, "pm_x", pay_at_order=False, at=NOW)


def test_a_retried_placement_is_recognised_by_what_it_first_asked_for() -> None:
    order = placed()
    same = [("NOOD-3", 5), (" SOAP-1", 2)]
    assert order.same_request(order.account_id, "FAC-1", "R-1", same, "pm_card_visa")
    assert not order.same_request(order.account_id, "FAC-1", "R-1", [("SOAP-1", 2)], "pm_card_visa")
    assert not order.same_request(order.account_id, "FAC-1", "R-1", same, "pm_other")
    assert not order.same_request(uuid4(), "FAC-1", "R-1", same, "pm_card_visa")
    order.change(order.vendor, (SOAP,), None, pay_at_order=False, at=NOW)
    assert order.same_request(order.account_id, "FAC-1", "R-1", same, "pm_card_visa")


def test_shipping_and_delivery_need_a_paid_order_and_count_once() -> None:
    with refused(FailedPrecondition, "order_not_paid"):
        placed().ship("UPS", "1Z999", NOW)
    order = paid()
    assert order.ship(" UPS ", "1Z999", NOW)
    assert not order.ship("FedEx", "other", NOW + timedelta(hours=1))
    assert (order.fulfilment, order.carrier, order.tracking_number) == (
        Fulfilment.SHIPPED,
        "UPS",
        "1Z999",
    )
    assert order.deliver(NOW + timedelta(days=2))
    assert not order.deliver(NOW + timedelta(days=3))
    assert not order.ship("UPS", "1Z999", NOW)
    assert (order.fulfilment, order.delivered_at) == (Fulfilment.DELIVERED, NOW + timedelta(days=2))


def test_a_paid_order_not_delivered_within_seven_days_is_flagged_once() -> None:
    order = paid()
    assert not order.flag_overdue(NOW + timedelta(days=7) - timedelta(microseconds=1))
    assert order.flag_overdue(NOW + timedelta(days=7))
    assert not order.flag_overdue(NOW + timedelta(days=8))
    assert (order.overdue, order.flagged_at) == (True, NOW + timedelta(days=7))
    delivered = paid()
    delivered.deliver(NOW + timedelta(days=1))
    assert not delivered.flag_overdue(NOW + timedelta(days=30))
    assert not placed().flag_overdue(NOW + timedelta(days=30))


@pytest.mark.parametrize(
    ("left", "reason"),
    [
        (ResidentLeft.TRANSFERRED, CancelledReason.RESIDENT_TRANSFERRED),
        (ResidentLeft.RELEASED, CancelledReason.RESIDENT_RELEASED),
    ],
)
def test_the_resident_leaving_cancels_an_unpaid_order(
    left: ResidentLeft, reason: CancelledReason
) -> None:
    order = placed("")
    assert order.resident_gone(left, NOW)
    assert (order.status, order.cancelled_reason) == (OrderStatus.CANCELLED, reason)


def test_the_resident_leaving_marks_a_paid_undelivered_pack_once_and_not_one_being_charged() -> (
    None
):
    order = paid()
    assert order.resident_gone(ResidentLeft.RELEASED, NOW)
    assert not order.resident_gone(ResidentLeft.TRANSFERRED, NOW + timedelta(hours=1))
    assert (order.status, order.resident_left, order.resident_left_at) == (
        OrderStatus.PAID,
        ResidentLeft.RELEASED,
        NOW,
    )
    charging = placed(pay_at_order=True)
    assert not charging.resident_gone(ResidentLeft.RELEASED, NOW)
    delivered = paid()
    delivered.deliver(NOW)
    assert not delivered.resident_gone(ResidentLeft.RELEASED, NOW)
    assert delivered.resident_left is ResidentLeft.NONE


def test_the_facility_decides_once_on_a_pack_whose_resident_left() -> None:
    order = paid()
    with refused(FailedPrecondition, "resident_not_left"):
        order.decide_pack(PackDecision.FORWARDED, "", NOW)
    order.resident_gone(ResidentLeft.TRANSFERRED, NOW)
    assert order.decide_pack(PackDecision.FORWARDED, " to FAC-2 ", NOW)
    assert not order.decide_pack(PackDecision.FORWARDED, "to FAC-2", NOW + timedelta(hours=1))
    with refused(FailedPrecondition, "pack_already_decided"):
        order.decide_pack(PackDecision.DISCARDED, "", NOW)
    assert (order.facility_decision, order.facility_decision_note, order.decided_at) == (
        PackDecision.FORWARDED,
        "to FAC-2",
        NOW,
    )


def test_a_decision_is_read_from_its_name() -> None:
    assert pack_decision(" Held_For_Pickup ") is PackDecision.HELD_FOR_PICKUP
    with refused(InvalidArgument, "pack_decision_unknown"):
        pack_decision("sold")


def test_the_order_is_rebuilt_from_its_events() -> None:
    order = paid()
    order.ship("UPS", "1Z9", NOW)
    order.resident_gone(ResidentLeft.RELEASED, NOW)
    rebuilt = None
    for domain_event in order.collect_events():
        rebuilt = domain_event.mutate(rebuilt)
    assert rebuilt is not None
    assert vars(rebuilt) == vars(order)

"""ChangeOrder and CancelOrder on both stores: only the family member's own order, only while
Incomplete or Ready to Process; a new card after a decline is a new attempt."""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID
from uuid import uuid4

from kinlink_commissary.domain.catalog import OrderLine
from kinlink_commissary.domain.order import CancelledReason
from kinlink_commissary.domain.order import OrderStatus
from kinlink_commissary.service_layer.change_order import ChangeOrder
from kinlink_commissary.service_layer.change_order import cancel_order
from kinlink_commissary.service_layer.change_order import change_order
from kinlink_commissary.service_layer.commissary import Commissary
from kinlink_commissary.service_layer.list_orders import ListOrders
from kinlink_commissary.service_layer.list_orders import list_orders
from kinlink_commissary.service_layer.orders_access import get_order
from kinlink_contracts.facility_settings import CommissaryPaymentMode
from kinlink_kit.auth import Principal
from kinlink_kit.auth import Role
from kinlink_kit.errors import FailedPrecondition
from kinlink_kit.errors import NotFound
from kinlink_kit.errors import PermissionDenied
from kinlink_kit.testing import Clock
from kinlink_kit.testing import refused

from tests.commissary_doubles import configure
from tests.commissary_orders import FACILITY
from tests.commissary_orders import MemoryLedger
from tests.integration.commissary.orders.conftest import place


def holder(account_id: UUID) -> Principal:
    return Principal(str(account_id), frozenset({Role.FAMILY_MEMBER}))


def test_an_incomplete_order_gets_its_card_and_becomes_ready(
    commissary: Commissary, family: UUID
) -> None:
    order = place(commissary, family, "")
    changed = change_order(commissary, holder(family), ChangeOrder(order.id, (), "pm_card_visa"))
    assert (changed.status, changed.payment_method, changed.total_cents) == (
        OrderStatus.READY_TO_PROCESS,
        "pm_card_visa",
        600,
    )


def test_new_lines_are_priced_again_and_checked(commissary: Commissary, family: UUID) -> None:
    order = place(commissary, family)
    changed = change_order(
        commissary, holder(family), ChangeOrder(order.id, (OrderLine("CAFE-2", 2),), "")
    )
    assert (changed.total_cents, changed.payment_method) == (998, "pm_card_visa")
    with refused(NotFound, "item_not_found"):
        change_order(commissary, holder(family), ChangeOrder(order.id, (OrderLine("X", 1),), ""))
    assert commissary.store.repository.get(order.id).total_cents == 998


def test_after_a_decline_another_card_is_charged_under_the_next_attempt(
    commissary: Commissary, family: UUID, ledger: MemoryLedger
) -> None:
    configure(commissary, FACILITY, 2, commissary_payment_mode=CommissaryPaymentMode.PAY_AT_ORDER)
    order = place(commissary, family, "pm_card_chargeDeclined")
    assert (order.status, order.incomplete_reason) == (OrderStatus.INCOMPLETE, "card_declined")
    paid = change_order(commissary, holder(family), ChangeOrder(order.id, (), "pm_card_visa"))
    assert (paid.status, paid.attempt) == (OrderStatus.PAID, 2)
    assert [(r.attempt, r.payment_method) for r in ledger.asked] == [
        (1, "pm_card_chargeDeclined"),
        (2, "pm_card_visa"),
    ]


def test_the_family_member_cancels_their_order_once(commissary: Commissary, family: UUID) -> None:
    order = place(commissary, family)
    cancelled = cancel_order(commissary, holder(family), order.id)
    again = cancel_order(commissary, holder(family), order.id)
    assert (again.status, again.cancelled_reason, again.version) == (
        OrderStatus.CANCELLED,
        CancelledReason.BY_USER,
        cancelled.version,
    )


def test_paid_and_processing_orders_are_neither_changed_nor_cancelled(
    commissary: Commissary, family: UUID, ledger: MemoryLedger
) -> None:
    configure(commissary, FACILITY, 2, commissary_payment_mode=CommissaryPaymentMode.PAY_AT_ORDER)
    paid = place(commissary, family)
    ledger.unavailable = True
    processing = place(commissary, family)
    for order, code in ((paid, "order_not_changeable"), (processing, "order_being_processed")):
        with refused(FailedPrecondition, code):
            cancel_order(commissary, holder(family), order.id)
        with refused(FailedPrecondition, code):
            change_order(commissary, holder(family), ChangeOrder(order.id, (), "pm_card_amex"))
    assert commissary.store.repository.get(processing.id).status is OrderStatus.PROCESSING


def test_someone_else_s_order_is_not_found_and_staff_see_only_their_facility(
    commissary: Commissary, family: UUID
) -> None:
    order = place(commissary, family)
    stranger = holder(uuid4())
    with refused(NotFound, "order_not_found"):
        cancel_order(commissary, stranger, order.id)
    with refused(NotFound, "order_not_found"):
        get_order(commissary, stranger, order.id)
    officer = Principal("officer", frozenset({Role.FACILITY_OFFICER}), frozenset({FACILITY}))
    assert get_order(commissary, officer, order.id).id == order.id
    elsewhere = Principal("officer", frozenset({Role.FACILITY_OFFICER}), frozenset({"FAC-X"}))
    with refused(PermissionDenied, "facility_out_of_scope"):
        get_order(commissary, elsewhere, order.id)


def test_the_history_lists_the_family_member_s_orders_newest_first_page_by_page(
    commissary: Commissary, family: UUID, clock: Clock
) -> None:
    placed = []
    for _ in range(5):
        placed.append(place(commissary, family).id)
        clock.now += timedelta(minutes=1)
    place(commissary, uuid4())  # someone else's
    pages, token = [], ""
    while True:
        page = list_orders(commissary, holder(family), ListOrders("", "", 2, token))
        pages.append([order.id for order in page.rows])
        if not (token := page.next_page_token):
            break
    newest = placed[::-1]
    assert pages == [newest[0:2], newest[2:4], newest[4:]]


def test_a_card_chosen_later_is_charged_only_where_commissary_is_still_offered(
    commissary: Commissary, family: UUID, ledger: MemoryLedger
) -> None:
    # Choosing the card is what sends the order to be charged (at once where the facility is
    # paid at order): the facility's commissary switched off meanwhile refuses it, as an order
    # placed then would be.
    order = place(commissary, family, "")
    configure(
        commissary,
        FACILITY,
        2,
        commissary_payment_mode=CommissaryPaymentMode.PAY_AT_ORDER,
        commissary_available=False,
    )
    with refused(FailedPrecondition, "commissary_unavailable"):
        change_order(commissary, holder(family), ChangeOrder(order.id, (), "pm_card_visa"))
    assert ledger.asked == []
    assert commissary.store.repository.get(order.id).status is OrderStatus.INCOMPLETE

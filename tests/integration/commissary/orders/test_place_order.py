"""PlaceOrder on both stores: statuses by payment mode, prices frozen, the client's key, the
checks of the catalog, the resident and the facility, and pay at order through the ledger."""

from __future__ import annotations

from collections.abc import Callable
from uuid import UUID
from uuid import uuid4

import pytest
from kinlink_commissary.domain.catalog import OrderLine
from kinlink_commissary.domain.order import Order
from kinlink_commissary.domain.order import OrderStatus
from kinlink_commissary.service_layer.catalogs import ImportCatalog
from kinlink_commissary.service_layer.catalogs import import_catalog
from kinlink_commissary.service_layer.commissary import Commissary
from kinlink_commissary.service_layer.place_order import PlaceOrder
from kinlink_commissary.service_layer.place_order import place_order
from kinlink_contracts.facility_settings import CommissaryPaymentMode
from kinlink_kit.errors import AlreadyExists
from kinlink_kit.errors import ClientError
from kinlink_kit.errors import FailedPrecondition
from kinlink_kit.errors import NotFound
from kinlink_kit.testing import refused
from prometheus_client import REGISTRY

from tests.commissary_doubles import book
from tests.commissary_doubles import configure
from tests.commissary_doubles import release
from tests.commissary_orders import CATALOG_CSV
from tests.commissary_orders import FACILITY
from tests.commissary_orders import RESIDENT
from tests.commissary_orders import VENDOR
from tests.commissary_orders import MemoryLedger
from tests.integration.commissary.orders.conftest import LINES
from tests.integration.commissary.orders.conftest import place

ORDER_CHARGES = "kinlink_commissary_order_charges_total"


def test_at_a_charge_at_posting_facility_an_order_waits_for_the_posting_run(
    commissary: Commissary, family: UUID, ledger: MemoryLedger
) -> None:
    order = place(commissary, family)
    assert (order.status, order.total_cents, order.vendor) == (
        OrderStatus.READY_TO_PROCESS,
        600,
        VENDOR,
    )
    assert ledger.asked == []
    stored = commissary.store.repository.get(order.id)
    assert (stored.status, stored.items) == (order.status, order.items)


def test_without_a_card_the_order_is_incomplete(commissary: Commissary, family: UUID) -> None:
    order = place(commissary, family, "")
    assert (order.status, order.incomplete_reason) == (
        OrderStatus.INCOMPLETE,
        "payment_method_missing",
    )


def test_at_a_pay_at_order_facility_it_is_charged_at_once_and_paid_with_the_receipt(
    commissary: Commissary, family: UUID, ledger: MemoryLedger
) -> None:
    configure(commissary, FACILITY, 2, commissary_payment_mode=CommissaryPaymentMode.PAY_AT_ORDER)
    order = place(commissary, family)
    assert (order.status, order.receipt_number, order.attempt) == (
        OrderStatus.PAID,
        "C-000001",
        1,
    )
    assert [(r.order_id, r.attempt, r.amount_cents) for r in ledger.asked] == [(order.id, 1, 600)]
    assert commissary.store.repository.get(order.id).status is OrderStatus.PAID


def test_a_declined_card_leaves_it_incomplete_with_the_reason(
    commissary: Commissary, family: UUID
) -> None:
    configure(commissary, FACILITY, 2, commissary_payment_mode=CommissaryPaymentMode.PAY_AT_ORDER)
    order = place(commissary, family, "pm_card_chargeDeclinedInsufficientFunds")
    assert (order.status, order.incomplete_reason) == (
        OrderStatus.INCOMPLETE,
        "insufficient_funds",
    )


def test_the_ledger_away_leaves_it_processing_and_a_retry_asks_the_same_attempt(
    commissary: Commissary, family: UUID, ledger: MemoryLedger
) -> None:
    configure(commissary, FACILITY, 2, commissary_payment_mode=CommissaryPaymentMode.PAY_AT_ORDER)
    ledger.lose_answers = True
    order_id = uuid4()
    unanswered = REGISTRY.get_sample_value(ORDER_CHARGES, {"outcome": "unanswered"}) or 0
    first = place(commissary, family, order_id=order_id)
    assert first.status is OrderStatus.PROCESSING
    assert REGISTRY.get_sample_value(ORDER_CHARGES, {"outcome": "unanswered"}) == unanswered + 1
    ledger.lose_answers = False
    again = place(commissary, family, order_id=order_id)
    assert (again.status, again.attempt) == (OrderStatus.PAID, 1)
    assert [request.attempt for request in ledger.asked] == [1, 1]
    assert ledger.charged_cents(order_id) == 600


def test_the_same_request_again_is_the_same_order_and_another_under_its_id_is_refused(
    commissary: Commissary, family: UUID
) -> None:
    order_id = uuid4()
    first = place(commissary, family, order_id=order_id)
    assert place(commissary, family, order_id=order_id).version == first.version
    with refused(AlreadyExists, "order_id_reused"):
        place(commissary, family, order_id=order_id, lines=(OrderLine("SOAP-1", 1),))
    with refused(AlreadyExists, "order_id_reused"):
        place(commissary, uuid4(), order_id=order_id)


def test_prices_stay_as_placed_when_the_catalog_changes(
    commissary: Commissary, family: UUID
) -> None:
    order = place(commissary, family)
    dearer = b"sku,name,description,category,price_cents,max_per_order\nSOAP-1,Soap,,H,900,3\n"
    import_catalog(commissary, ImportCatalog(FACILITY, VENDOR, dearer, 5000, 12))
    assert commissary.store.repository.get(order.id).total_cents == 600
    with refused(FailedPrecondition, "item_unavailable"):
        place(commissary, family)


def _release(commissary: Commissary) -> str:
    release(commissary, RESIDENT, FACILITY)
    return FACILITY


def _switch_off(commissary: Commissary) -> str:
    configure(commissary, FACILITY, 2, commissary_available=False)
    return FACILITY


def _facility_without_catalog(commissary: Commissary) -> str:
    configure(commissary, "FAC-EMPTY")
    book(commissary, RESIDENT, "FAC-EMPTY")
    return "FAC-EMPTY"


def _lower_limit(commissary: Commissary) -> str:
    import_catalog(commissary, ImportCatalog(FACILITY, VENDOR, CATALOG_CSV, 599, 12))
    return FACILITY


@pytest.mark.parametrize(
    ("setup", "resident_id", "kind", "code"),
    [
        (_release, RESIDENT, FailedPrecondition, "resident_released"),
        (lambda _: FACILITY, "R-NOBODY", NotFound, "resident_not_found"),
        (_switch_off, RESIDENT, FailedPrecondition, "commissary_unavailable"),
        (_facility_without_catalog, RESIDENT, NotFound, "catalog_not_found"),
        (_lower_limit, RESIDENT, FailedPrecondition, "order_limit_exceeded"),
    ],
    ids=["released", "unknown resident", "switched off", "no catalog", "over the limit"],
)
def test_an_order_the_rules_refuse_is_not_placed(
    commissary: Commissary,
    family: UUID,
    setup: Callable[[Commissary], str],
    resident_id: str,
    kind: type[ClientError],
    code: str,
) -> None:
    facility_id = setup(commissary)
    order_id = uuid4()
    with refused(kind, code):
        place_order(
            commissary,
            PlaceOrder(order_id, family, facility_id, resident_id, LINES, "pm_card_visa"),
        )
    assert commissary.find(order_id, Order) is None

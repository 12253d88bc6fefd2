"""Commissary orders for fulfilment's tests, driven through the Order aggregate as the order
use cases leave them (placed, charged, paid), in a commissary whose ledger charges nothing."""

from __future__ import annotations

from uuid import UUID
from uuid import uuid4

from kinlink_commissary.bootstrap import CommissarySettings
from kinlink_commissary.bootstrap import build_commissary
from kinlink_commissary.domain.order import Order
from kinlink_commissary.domain.order import OrderItem
from kinlink_commissary.service_layer.commissary import Commissary

from tests.commissary_doubles import MemoryHolds
from tests.commissary_orders import MemoryLedger

FACILITY = "FAC-DEMO"
OTHER_FACILITY = "FAC-EAST"
RESIDENT = "R-1001"
ITEMS = (OrderItem("COF-1", "Instant coffee", 2, 450), OrderItem("SOX-3", "Socks", 1, 1299))


def open_commissary(settings: CommissarySettings, clock: object) -> Commissary:
    commissary = build_commissary(
        settings, holds=MemoryHolds(), charges=MemoryLedger(unavailable=True)
    )
    commissary.clock = clock  # type: ignore[assignment]
    return commissary


def placed(
    commissary: Commissary,
    *,
    payment_method: str = "pm_card_visa",
    resident_id: str = RESIDENT,
    facility_id: str = FACILITY,
    pay_at_order: bool = False,
    account_id: UUID | None = None,
) -> Order:
    """An order placed and saved: INCOMPLETE without a payment method, else READY_TO_PROCESS
    (or PROCESSING where the facility is paid at order)."""
    order = Order.place(
        uuid4(),
        account_id or uuid4(),
        facility_id,
        resident_id,
        "Keefe",
        ITEMS,
        payment_method,
        pay_at_order=pay_at_order,
        at=commissary.clock(),
    )
    commissary.store.save(order)
    return order


def paid(commissary: Commissary, **placing: object) -> Order:
    """An order placed at a pay-at-order facility and paid now, saved."""
    order = placed(commissary, pay_at_order=True, **placing)  # type: ignore[arg-type]
    order.record_payment(f"KL-C-{order.id.hex[:6]}", commissary.clock())
    commissary.store.save(order)
    return order


def order_now(commissary: Commissary, order: Order) -> Order:
    found = commissary.find(order.id, Order, to_change=False)
    assert found is not None
    return found

"""PlaceOrder: a commissary pack for a resident held at the facility, priced from its catalog
within its limits. Without a payment method it is INCOMPLETE; with one it waits for the
facility's posting run (READY_TO_PROCESS) or, at a pay-at-order facility, is charged now.

The order id is the client's key: the same request again returns the order it made (charging
it only if its charge is still unanswered); another request under that id is refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from kinlink_contracts.facility_settings import CommissaryPaymentMode
from kinlink_contracts.facility_settings import FacilitySettings
from kinlink_kit.errors import FailedPrecondition

from kinlink_commissary.domain.catalog import Catalog
from kinlink_commissary.domain.catalog import OrderLine
from kinlink_commissary.domain.order import Order
from kinlink_commissary.domain.order import OrderIdReused
from kinlink_commissary.domain.order import OrderItem
from kinlink_commissary.service_layer.catalogs import get_catalog
from kinlink_commissary.service_layer.charge_order import charge_order
from kinlink_commissary.service_layer.commissary import Commissary


class CommissaryUnavailable(FailedPrecondition):
    def __init__(self) -> None:
        super().__init__(
            "commissary_unavailable", "This facility does not take commissary orders just now."
        )


@dataclass(frozen=True)
class PlaceOrder:
    order_id: UUID
    account_id: UUID
    facility_id: str
    resident_id: str
    lines: tuple[OrderLine, ...]
    payment_method: str


def pay_at_order(facility: FacilitySettings) -> bool:
    return facility.commissary_payment_mode is CommissaryPaymentMode.PAY_AT_ORDER


def check_orderable(commissary: Commissary, facility_id: str, resident_id: str) -> None:
    """Commissary is offered at the facility and the resident held there: checked whenever an
    order is placed or changed, since either may send it to be charged."""
    if not commissary.facilities.facility(facility_id).commissary_available:
        raise CommissaryUnavailable()
    commissary.residents.require_held(facility_id, resident_id)


def priced(
    commissary: Commissary, facility_id: str, lines: tuple[OrderLine, ...]
) -> tuple[Catalog, tuple[OrderItem, ...]]:
    """The order's items at the catalog's prices, within its limits."""
    catalog = get_catalog(commissary, facility_id)
    return catalog, catalog.price(lines)


def place_order(commissary: Commissary, command: PlaceOrder) -> Order:
    def placing() -> Order:
        placed = commissary.find(command.order_id, Order)
        if placed is not None:
            if not placed.same_request(
                command.account_id,
                command.facility_id,
                command.resident_id,
                [(line.sku, line.quantity) for line in command.lines],
                command.payment_method,
            ):
                raise OrderIdReused()
            return placed
        check_orderable(commissary, command.facility_id, command.resident_id)
        catalog, items = priced(commissary, command.facility_id, command.lines)
        order = Order.place(
            command.order_id,
            command.account_id,
            command.facility_id,
            command.resident_id,
            catalog.vendor,
            items,
            command.payment_method,
            pay_at_order=pay_at_order(commissary.facilities.facility(command.facility_id)),
            at=commissary.clock(),
        )
        commissary.store.save(order)
        return order

    return charge_order(commissary, commissary.retrying(placing))

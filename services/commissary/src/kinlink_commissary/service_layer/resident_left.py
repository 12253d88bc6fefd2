"""A resident transferred or released (identity's topic) before their packs arrived: orders not
yet paid are cancelled (resident_transferred / resident_released), paid ones not delivered are
marked for the facility's decision (FAQ: "the facility will decide what to do with the
Commissary Pack"). An order being charged at that moment is left to its charge, which looks
again when its answer is recorded (`left_facility`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from kinlink_kit.residents import ResidentNotFound

from kinlink_commissary.domain.order import Order
from kinlink_commissary.domain.order import ResidentLeft
from kinlink_commissary.service_layer.commissary import Commissary


@dataclass(frozen=True)
class ResidentGone:
    facility_id: str
    resident_id: str
    left: ResidentLeft
    at: datetime


def resident_leaving(commissary: Commissary, gone: ResidentGone) -> list[Order]:
    """The resident's orders that changed, to be saved together."""
    fulfilment = commissary.views.fulfilment
    changed = []
    for order_id in fulfilment.open_orders_of(gone.facility_id, gone.resident_id):
        order = commissary.find(order_id, Order)
        if order is not None and order.resident_gone(gone.left, gone.at):
            changed.append(order)
    return changed


def left_facility(commissary: Commissary, facility_id: str, resident_id: str) -> ResidentLeft:
    """Whether the resident has left the facility, as the residents recorded say now: one no
    longer found there (the order was placed for them held) was transferred away."""
    try:
        record = commissary.residents.resident(facility_id, resident_id)
    except ResidentNotFound:
        return ResidentLeft.TRANSFERRED
    return ResidentLeft.RELEASED if record.released else ResidentLeft.NONE

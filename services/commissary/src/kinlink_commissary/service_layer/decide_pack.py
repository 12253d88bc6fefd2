"""RecordPackDecision (an officer of the order's facility) and CommissaryPackDecided (its
integration): what the facility did with a pack whose resident had left. The first decision
stands; the same one again changes nothing, another is refused (`pack_already_decided`)."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from kinlink_kit.auth import Principal
from kinlink_kit.errors import InvalidArgument

from kinlink_commissary.domain.order import Order
from kinlink_commissary.domain.order import OrderNotFound
from kinlink_commissary.domain.order import pack_decision
from kinlink_commissary.service_layer.commissary import Commissary

NOTE_MAX_CHARACTERS = 500


@dataclass(frozen=True)
class DecidePack:
    order_id: UUID
    decision: str
    note: str


def _checked_note(note: str) -> str:
    if len(note.strip()) > NOTE_MAX_CHARACTERS:
        raise InvalidArgument(
            "note_too_long", f"Say it in at most {NOTE_MAX_CHARACTERS} characters."
        )
    return note


def record_pack_decision(commissary: Commissary, officer: Principal, command: DecidePack) -> Order:
    decision = pack_decision(command.decision)
    note = _checked_note(command.note)

    def deciding(order: Order) -> Order:
        officer.require_facility(order.facility_id)
        order.decide_pack(decision, note, commissary.clock())
        return order

    # Two officers at once: the loser's save collides and, re-applied to what won, is refused
    # unless it is the same decision.
    return commissary.change(command.order_id, Order, deciding, missing=OrderNotFound)


def deciding_pack(commissary: Commissary, command: DecidePack) -> list[Order]:
    """The facility's integration decided: the order, to be saved; nothing for a repeat."""
    decision = pack_decision(command.decision)
    order = commissary.require(command.order_id, Order, OrderNotFound)
    changed = order.decide_pack(decision, _checked_note(command.note), commissary.clock())
    return [order] if changed else []

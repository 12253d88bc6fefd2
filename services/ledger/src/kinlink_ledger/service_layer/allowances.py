"""Reading and changing commissary allowances, by the commissary's allowance id, retried while
others change the same allowance at the same moment (an order reported while it ends)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar
from uuid import UUID

from eventsourcing.persistence import IntegrityError
from kinlink_kit.errors import InvalidArgument, NotFound, Unavailable
from kinlink_kit.eventstore import Tracking

from kinlink_ledger.domain.allowance import CommissaryAllowance
from kinlink_ledger.service_layer.ledger import Ledger

# Changes to one allowance collide on its version; each retry re-reads it.
MAX_ATTEMPTS = 50

T = TypeVar("T")


def parse_allowance_id(raw: str) -> UUID:
    try:
        return UUID(raw)
    except ValueError:
        raise InvalidArgument(
            "allowance_id_invalid", "Not an allowance id.", field="allowance_id"
        ) from None


def find_allowance(ledger: Ledger, allowance_id: UUID) -> CommissaryAllowance | None:
    return ledger.find(CommissaryAllowance.create_id(allowance_id), CommissaryAllowance)


def allowance_for(
    ledger: Ledger, allowance_id: str, may_have: Callable[[CommissaryAllowance], bool]
) -> CommissaryAllowance:
    """The allowance, if the caller may have it: to others, as to everyone for an unknown id,
    it does not exist (allowance ids tell nothing about other families)."""
    allowance = find_allowance(ledger, parse_allowance_id(allowance_id))
    if allowance is None or not may_have(allowance):
        raise NotFound("allowance_not_found", "No such allowance.", field="allowance_id")
    return allowance


def change_allowance(
    ledger: Ledger,
    allowance_id: UUID,
    change: Callable[[CommissaryAllowance], T],
    tracking: Tracking | None = None,
) -> tuple[CommissaryAllowance, T]:
    """Apply `change` to the allowance as it is now and save it (with the upstream position
    `tracking`, for an event's effect); again if someone saved first."""
    aggregate_id = CommissaryAllowance.create_id(allowance_id)
    for _ in range(MAX_ATTEMPTS):
        allowance = ledger.store.require(
            aggregate_id, CommissaryAllowance, code="allowance_not_found", field="allowance_id"
        )
        result = change(allowance)
        try:
            if tracking is None:
                ledger.store.save(allowance)
            else:
                ledger.store.save_tracked(tracking, allowance)
        except IntegrityError:
            if tracking is not None and ledger.store.has_processed(tracking):
                raise  # the event took effect already: the consumer's duplicate
            continue
        return allowance, result
    raise Unavailable("allowance_busy", "Too many changes at once to this allowance; try again.")

"""Reading and changing commissary allowances, by the commissary's allowance id, under the
conflict policy (an order reported while the allowance ends collides on its version)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar
from uuid import UUID

from kinlink_kit.grpc_helpers import parse_id

from kinlink_ledger.domain.allowance import AllowanceNotFound
from kinlink_ledger.domain.allowance import CommissaryAllowance
from kinlink_ledger.service_layer.ledger import Ledger

T = TypeVar("T")


def find_allowance(ledger: Ledger, allowance_id: UUID) -> CommissaryAllowance | None:
    return ledger.find(CommissaryAllowance.create_id(allowance_id), CommissaryAllowance)


def require_allowance(ledger: Ledger, allowance_id: UUID) -> CommissaryAllowance:
    aggregate_id = CommissaryAllowance.create_id(allowance_id)
    return ledger.require(aggregate_id, CommissaryAllowance, AllowanceNotFound)


def allowance_for(
    ledger: Ledger, allowance_id: str, may_have: Callable[[CommissaryAllowance], bool]
) -> CommissaryAllowance:
    """The allowance, if the caller may have it: to others, as to everyone for an unknown id,
    it does not exist (allowance ids tell nothing about other families)."""
    allowance = find_allowance(ledger, parse_id(allowance_id, "allowance_id"))
    if allowance is None or not may_have(allowance):
        raise AllowanceNotFound()
    return allowance


def change_allowance(
    ledger: Ledger, allowance_id: UUID, change: Callable[[CommissaryAllowance], T]
) -> tuple[CommissaryAllowance, T]:
    """Apply `change` to the allowance as it is now and save it."""
    return ledger.change(
        CommissaryAllowance.create_id(allowance_id),
        CommissaryAllowance,
        lambda allowance: (allowance, change(allowance)),
        missing=AllowanceNotFound,
    )

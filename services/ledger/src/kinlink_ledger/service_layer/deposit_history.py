"""GetDeposit and ListDeposits: a depositor's or a resident's deposits, newest first."""

from __future__ import annotations

from uuid import UUID

from kinlink_kit.errors import InvalidArgument

from kinlink_ledger.domain.deposit import Deposit
from kinlink_ledger.domain.history import depositor_owner, resident_owner
from kinlink_ledger.service_layer.ledger import Ledger


def get_deposit(ledger: Ledger, deposit_id: str) -> Deposit:
    try:
        return ledger.deposit(UUID(deposit_id))
    except ValueError:
        raise InvalidArgument(
            "deposit_id_invalid", "Not a deposit id.", field="deposit_id"
        ) from None


def depositor_deposits(ledger: Ledger, depositor_id: str) -> list[Deposit]:
    return _deposits(ledger, depositor_owner(depositor_id))


def resident_deposits(ledger: Ledger, facility_id: str, resident_id: str) -> list[Deposit]:
    if not facility_id:
        raise InvalidArgument(
            "facility_id_missing", "A resident's history is per facility.", field="facility_id"
        )
    return _deposits(ledger, resident_owner(facility_id, resident_id))


def _deposits(ledger: Ledger, owner: str) -> list[Deposit]:
    history = ledger.history(owner)
    return [ledger.deposit(deposit_id) for deposit_id in reversed(history.deposit_ids)]

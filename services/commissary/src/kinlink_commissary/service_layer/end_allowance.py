"""Ending allowances: the family member ends one early (EndAllowance), or its period is over
(the period-end sweep). Ended, it pays no more purchases; AllowanceEnded then tells the ledger
to capture only what was used and release the rest (requirements: "only the amount they used
will be charged to the card")."""

from __future__ import annotations

from datetime import datetime
from functools import partial
from uuid import UUID

from kinlink_kit.auth import Principal

from kinlink_commissary.domain.allowance import Allowance
from kinlink_commissary.domain.allowance import AllowanceNotFound
from kinlink_commissary.service_layer.allowances import allowance_for
from kinlink_commissary.service_layer.commissary import Commissary


def end_own_allowance(commissary: Commissary, allowance_id: UUID, holder: Principal) -> Allowance:
    """The holder ends it; ending it again returns it as it is."""
    allowance = allowance_for(commissary, allowance_id, holder)
    if str(allowance.account_id) != holder.account_id:
        raise AllowanceNotFound()  # staff see an allowance; only its family member ends it

    def ending(found: Allowance) -> Allowance:
        found.end(commissary.clock())
        return found

    return commissary.change(allowance.id, Allowance, ending, missing=AllowanceNotFound)


def end_allowances_over(commissary: Commissary, batch: int = 100) -> int:
    """End the allowances whose period is over, `batch` at a time; how many were ended."""
    ended = 0
    while True:
        now = commissary.clock()
        keys = commissary.views.allowances.period_over(now, batch)
        ending = partial(_end_if_over, now=now)
        done = sum(
            commissary.change(key, Allowance, ending, missing=AllowanceNotFound) for key in keys
        )
        ended += done
        if len(keys) < batch or done == 0:
            return ended


def _end_if_over(allowance: Allowance, now: datetime) -> int:
    if not allowance.period_over(now):
        return 0  # ended meanwhile (by its family member, or the ledger)
    allowance.end(now)
    return 1

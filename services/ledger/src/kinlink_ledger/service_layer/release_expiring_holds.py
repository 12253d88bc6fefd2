"""The hold sweep: allowances whose card hold is about to expire are ended, what was used
captured and the rest released. Stripe cancels a hold left uncaptured for 7 days, and what the
resident used could not be captured any more. Ends the processor left unfinished are finished
here too, whatever their age.

The allowances still holding a card are those whose `allowance_hold` account in the journal is
not zero, so only those are read. (A hold whose processor answer was never recorded is not among
them: it was never booked, and lapses at the processor uncaptured unless the commissary asks
again with the same allowance id.)
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from uuid import UUID

from kinlink_kit.logging import get_logger

from kinlink_ledger.domain import journal
from kinlink_ledger.domain.allowance import AllowanceStatus
from kinlink_ledger.domain.allowance import CommissaryAllowance
from kinlink_ledger.service_layer.allowances import find_allowance
from kinlink_ledger.service_layer.end_allowance import end_allowance
from kinlink_ledger.service_layer.ledger import Ledger

log = get_logger(__name__)


def release_expiring_holds(ledger: Ledger, hold_days: int) -> list[CommissaryAllowance]:
    """End the allowances held `hold_days` or longer, and those left ending; returns those
    ended now."""
    cutoff = ledger.clock() - timedelta(days=hold_days)
    ended = []
    for allowance in _holding(ledger):
        due = allowance.authorized_at is not None and allowance.authorized_at <= cutoff
        if not due and allowance.status is not AllowanceStatus.ENDING:
            continue
        try:
            ended.append(end_allowance(ledger, allowance.allowance_id))
        except Exception:
            # One allowance the processor cannot end (a hold that lapsed, a capture racing an
            # EndAllowance) must not keep the sweep from ending the others.
            log.exception(
                "allowance not ended; the next sweep tries again",
                allowance_id=str(allowance.allowance_id),
            )
    return ended


def _holding(ledger: Ledger) -> Iterator[CommissaryAllowance]:
    prefix = journal.allowance_hold("")
    for account in ledger.views.journal.balances(prefix):
        if account.balance != 0:
            allowance = find_allowance(ledger, UUID(account.account.removeprefix(prefix)))
            if allowance is not None:
                yield allowance

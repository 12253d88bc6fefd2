"""The meter: a sweep over the remote visits in progress or interrupted, charging each minute
begun and not yet charged, and giving back a minute an interruption on our side cut short
(`minutes.settle`). A wallet that runs dry ends the visit CREDIT_EXHAUSTED (the provider
removes both sides); the ledger unreachable leaves the rest to the next sweep.

Nothing is charged past the visit's window: the window-over sweep ends it there.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from uuid import UUID

from kinlink_kit.logging import get_logger
from kinlink_kit.metrics import VIDEO_MINUTES_CHARGED

from kinlink_visitation.domain.visit import EndReason
from kinlink_visitation.domain.visit import Visit
from kinlink_visitation.domain.visit import VisitKind
from kinlink_visitation.domain.visit import VisitStatus
from kinlink_visitation.domain.wallet import InsufficientCredit
from kinlink_visitation.domain.wallet import WalletUnavailable
from kinlink_visitation.service_layer.end_visit import end_visit
from kinlink_visitation.service_layer.minutes import cut_short_by_us
from kinlink_visitation.service_layer.minutes import settle
from kinlink_visitation.service_layer.visitation import Visitation

log = get_logger(__name__)
METERED = frozenset({VisitStatus.IN_PROGRESS, VisitStatus.INTERRUPTED})


@dataclass(frozen=True)
class Metered:
    visits: int = 0
    minutes_charged: int = 0
    credit_exhausted: int = 0

    def __add__(self, other: Metered) -> Metered:
        return Metered(
            self.visits + other.visits,
            self.minutes_charged + other.minutes_charged,
            self.credit_exhausted + other.credit_exhausted,
        )


def meter_visits(visitation: Visitation, concurrency: int = 1) -> Metered:
    """Every visit in progress metered, `concurrency` at a time (each visit is its own: the
    ledger and the store serialise what must be)."""
    unreachable = threading.Event()

    def metering(key: UUID) -> Metered:
        if unreachable.is_set():
            return Metered()
        try:
            return meter_visit(visitation, key)
        except WalletUnavailable:
            if not unreachable.is_set():
                log.warning("the wallet cannot be reached; the next sweep charges the minutes")
            unreachable.set()  # the others wait for the next sweep too
        except Exception:
            # One visit that cannot be metered must not keep the sweep from the others.
            log.exception("visit not metered; the next sweep tries again", visit_key=str(key))
        return Metered()

    with ThreadPoolExecutor(concurrency, thread_name_prefix="meter") as pool:
        metered = sum(pool.map(metering, visitation.views.visits.in_progress()), Metered())
    VIDEO_MINUTES_CHARGED.inc(metered.minutes_charged)
    return metered


def meter_visit(visitation: Visitation, key: UUID) -> Metered:
    visit = visitation.find(key, Visit)
    # The view may lag behind the store. A visit whose end has begun is settled by its end.
    if (
        visit is None
        or visit.kind is not VisitKind.REMOTE
        or visit.status not in METERED
        or visit.ending is not None
    ):
        return Metered()
    now = visitation.clock()
    try:
        after = settle(visitation, visit, min(now, visit.ends_at), cut_short=cut_short_by_us(visit))
    except InsufficientCredit:
        log.info("credit exhausted: the visit ends", visit_id=str(visit.visit_id))
        ending = min(now, visit.ends_at)
        after = end_visit(visitation, visit.visit_id, EndReason.CREDIT_EXHAUSTED, at=ending)
    return Metered(
        visits=1,
        minutes_charged=after.minutes_charged - visit.minutes_charged,
        credit_exhausted=int(after.end_reason is EndReason.CREDIT_EXHAUSTED),
    )

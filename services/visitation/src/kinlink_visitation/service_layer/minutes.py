"""A visit's connected minutes and the wallet: each minute begun is charged once (minute n
begins when the connected time passes (n-1)·60 s), and a minute cut short on our side is
given back once (decision 0071).

Cut short on our side: the visit ended by an officer, by its window's end or by the resident
leaving while both sides were connected, or interrupted by the station or the provider
dropping. The visitor hanging up or their network dropping is their side: the minute they began
is theirs. Every step is safe to repeat: the ledger charges and refunds a reference once, the
visit records a minute and a credit once, so a sweep or a request that died half-way is
finished by the next one.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from kinlink_kit.metrics import VIDEO_MINUTES_GIVEN_BACK

from kinlink_visitation.domain.visit import CreditReason
from kinlink_visitation.domain.visit import EndReason
from kinlink_visitation.domain.visit import Visit
from kinlink_visitation.domain.visit import VisitKind
from kinlink_visitation.domain.visit import VisitNotFound
from kinlink_visitation.domain.visit import VisitStatus
from kinlink_visitation.domain.wallet import ONE_MINUTE
from kinlink_visitation.domain.wallet import Payment
from kinlink_visitation.domain.wallet import minute_reference
from kinlink_visitation.service_layer.visitation import Visitation

ENDED_ON_OUR_SIDE = frozenset(
    {EndReason.OFFICER_ENDED, EndReason.WINDOW_OVER, EndReason.RESIDENT_LEFT}
)
CUT_SHORT_REASON = "Video visit minute cut short on our side"


def cut_short_by_us(visit: Visit, ending: EndReason | None = None) -> bool:
    """Whether the minute in progress was cut short on our side: by `ending` the visit now, or
    by the interruption it is in."""
    if visit.status is VisitStatus.IN_PROGRESS:
        return ending in ENDED_ON_OUR_SIDE
    return visit.status is VisitStatus.INTERRUPTED and visit.interrupted_ours


def minutes_owed(visit: Visit, at: datetime, cut_short: bool) -> int:
    """The minutes the family pays for at `at`: each begun, less the one in progress when it
    was cut short on our side."""
    if visit.kind is not VisitKind.REMOTE:
        return 0
    whole, part = divmod(visit.connected_seconds_at(at), 60)
    return int(whole) + (1 if part and not cut_short else 0)


def settle(
    visitation: Visitation, visit: Visit, at: datetime, *, cut_short: bool, may_charge: bool = True
) -> Visit:
    """Brings what `visit` charged to what it owes at `at`: charges each minute owed and not
    charged yet (unless `may_charge` is False: the wallet ran dry), gives back each charged
    minute beyond. Raises `InsufficientCredit` when the wallet cannot cover a minute owed."""
    if visit.kind is not VisitKind.REMOTE:
        return visit
    owed = minutes_owed(visit, at, cut_short)
    if may_charge:
        for minute in range(visit.minutes_charged + 1, owed + 1):
            reference = minute_reference(visit.visit_id, minute)
            payment = visitation.wallet.charge(
                visit.account_id, visit.facility_id, ONE_MINUTE, reference
            )
            visit, late = record_minute(visitation, visit.id, minute, payment)
            if late:  # the visit ended meanwhile, and its end settled without this minute
                return give_back(visitation, visit, minute)
    # A charge whose answer was lost (the process died before recording it) may be the next
    # minute: found, it is recorded, then given back below since it is not owed.
    lost = visit.minutes_charged + 1
    if lost > owed:
        reference = minute_reference(visit.visit_id, lost)
        found = visitation.wallet.find_payment(visit.account_id, reference)
        if found is not None:
            visit, _ = record_minute(visitation, visit.id, lost, found)
    for minute in range(owed + 1, visit.minutes_charged + 1):
        visit = give_back(visitation, visit, minute)
    return visit


def record_minute(
    visitation: Visitation, key: UUID, minute: int, payment: Payment
) -> tuple[Visit, bool]:
    """The visit with the minute recorded, and whether it was recorded only once the visit had
    ended (a meter's charge that crossed the visit's end)."""

    def recording(visit: Visit) -> tuple[Visit, bool]:
        late = visit.status is VisitStatus.ENDED and minute > visit.minutes_charged
        visit.minute_charged(minute, payment.amount_cents, payment.reference)
        return visit, late

    return visitation.change(key, Visit, recording, missing=VisitNotFound)


def give_back(visitation: Visitation, visit: Visit, minute: int) -> Visit:
    """Refunds a charged minute once and records the credit on the visit."""
    reference = minute_reference(visit.visit_id, minute)
    if reference in visit.credit_references:
        return visit
    payment = visitation.wallet.find_payment(visit.account_id, reference)
    if payment is None:  # the visit recorded it from the ledger's answer: cannot happen
        raise RuntimeError(f"the ledger has no charge for {reference}")
    visitation.wallet.refund(visit.account_id, visit.facility_id, payment, CUT_SHORT_REASON)

    def crediting(visit: Visit) -> Visit:
        visit.credited(payment.amount_cents, CreditReason.CUT_SHORT, reference)
        return visit

    credited = visitation.change(visit.id, Visit, crediting, missing=VisitNotFound)
    VIDEO_MINUTES_GIVEN_BACK.inc()
    return credited

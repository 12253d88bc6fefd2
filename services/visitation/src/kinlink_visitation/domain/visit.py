"""A video visit between a family member (the visitor) and a resident at one of the facility's
stations, from its booking to its end.

A visit is SCHEDULED for its window (a station, the resident and the visitor taken by the
calendars), becomes IN_PROGRESS when both sides are present (CallStarted the first time,
CallResumed after an interruption), INTERRUPTED when one side leaves it, and ENDED when someone
or something ends it. A scheduled visit may be CANCELLED; one whose window passed without both
sides ever present is MISSED. The provider's webhooks may come twice or late: a join or leave at
or before the last one recorded for that side changes nothing, and nothing changes after the
end. Connected time is the sum of the stretches with both sides present; a remote visit is
charged per minute begun (`minutes_due`), an in-facility one never.
"""

from __future__ import annotations

import math
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from enum import StrEnum
from uuid import UUID

from eventsourcing.domain import Aggregate
from eventsourcing.domain import event
from kinlink_contracts.visitation import CancelledBy as CancelledBy
from kinlink_contracts.visitation import CreditReason as CreditReason
from kinlink_contracts.visitation import EndReason as EndReason
from kinlink_contracts.visitation import InterruptedSide as InterruptedSide
from kinlink_contracts.visitation import Side as Side
from kinlink_contracts.visitation import VisitKind as VisitKind
from kinlink_kit.errors import AlreadyExists
from kinlink_kit.errors import FailedPrecondition
from kinlink_kit.errors import InvalidArgument
from kinlink_kit.errors import NotFound

from kinlink_visitation.domain.ids import visit_key

SECONDS_PER_MINUTE = 60


class VisitStatus(StrEnum):
    SCHEDULED = "scheduled"
    IN_PROGRESS = "in_progress"
    INTERRUPTED = "interrupted"
    ENDED = "ended"
    CANCELLED = "cancelled"
    MISSED = "missed"


# A visit in one of these still holds its station, resident and visitor for its window.
BOOKED = frozenset({VisitStatus.SCHEDULED, VisitStatus.IN_PROGRESS, VisitStatus.INTERRUPTED})
CONNECTED_ONCE = frozenset({VisitStatus.IN_PROGRESS, VisitStatus.INTERRUPTED})
FINAL = frozenset({VisitStatus.ENDED, VisitStatus.CANCELLED, VisitStatus.MISSED})


class VisitNotFound(NotFound):
    """Also what someone else's visit is to a family member."""

    def __init__(self) -> None:
        super().__init__("visit_not_found", "No such visit.")


class VisitIdReused(AlreadyExists):
    def __init__(self) -> None:
        super().__init__(
            "visit_id_reused", "This visit id was used for another visit: choose a new one."
        )


class VisitNotCancellable(FailedPrecondition):
    def __init__(self) -> None:
        super().__init__(
            "visit_not_cancellable",
            "Only a scheduled visit can be cancelled; one in progress is ended instead.",
        )


class VisitNotEndable(FailedPrecondition):
    def __init__(self) -> None:
        super().__init__(
            "visit_not_in_progress",
            "This visit has not connected: cancel it instead, or it is over already.",
        )


class VisitNotMissable(FailedPrecondition):
    def __init__(self) -> None:
        super().__init__("visit_not_missable", "Only a scheduled visit that never connected.")


class MinuteOutOfOrder(FailedPrecondition):
    def __init__(self, expected: int) -> None:
        super().__init__(
            "minute_out_of_order", f"The next minute to charge for this visit is {expected}."
        )


class AmountNotPositive(InvalidArgument):
    def __init__(self) -> None:
        super().__init__("amount_not_positive", "The amount must be more than 0 cents.")


class CreditAboveCharged(FailedPrecondition):
    def __init__(self, creditable_cents: int) -> None:
        super().__init__(
            "credit_above_charged",
            f"At most {creditable_cents} cents of this visit's charges can still be credited.",
        )


def _utc(at: datetime) -> datetime:
    return at.astimezone(UTC)


def _other(side: Side) -> Side:
    return Side.STATION if side is Side.VISITOR else Side.VISITOR


class Visit(Aggregate):
    # Enum values travel in events as their strings (the store's JSON).
    class Scheduled(Aggregate.Created):
        visit_id: UUID
        account_id: UUID
        facility_id: str
        resident_id: str
        kind: str
        station: int
        starts_at: datetime
        slot_minutes: int
        direct_dial: bool
        price_per_minute_cents: int
        facility_time_zone: str
        scheduled_at: datetime

    class Cancelled(Aggregate.Event):
        by: str
        note: str
        at: datetime

    class Joined(Aggregate.Event):
        side: str
        at: datetime

    class Started(Aggregate.Event):
        side: str  # the one whose joining connected both
        at: datetime

    class Resumed(Aggregate.Event):
        side: str
        at: datetime

    class Left(Aggregate.Event):
        side: str
        at: datetime

    class Interrupted(Aggregate.Event):
        side: str  # an InterruptedSide
        ours: bool
        at: datetime

    class MinuteCharged(Aggregate.Event):
        minute: int
        amount_cents: int
        reference: str

    class Credited(Aggregate.Event):
        amount_cents: int
        why: str
        reference: str

    class EndBegun(Aggregate.Event):
        reason: str
        at: datetime
        note: str

    class Ended(Aggregate.Event):
        reason: str
        at: datetime
        note: str

    class Missed(Aggregate.Event):
        at: datetime

    @staticmethod
    def create_id(visit_id: UUID) -> UUID:
        return visit_key(visit_id)

    @event(Scheduled)
    def __init__(
        self,
        visit_id: UUID,
        account_id: UUID,
        facility_id: str,
        resident_id: str,
        kind: str,
        station: int,
        starts_at: datetime,
        slot_minutes: int,
        direct_dial: bool,
        price_per_minute_cents: int,
        facility_time_zone: str,
        scheduled_at: datetime,
    ) -> None:
        self.visit_id = visit_id
        self.account_id = account_id
        self.facility_id = facility_id
        self.resident_id = resident_id
        self.kind = VisitKind(kind)
        self.station = station
        self.starts_at = starts_at
        self.slot_minutes = slot_minutes
        self.ends_at = starts_at + timedelta(minutes=slot_minutes)
        self.direct_dial = direct_dial
        self.price_per_minute_cents = price_per_minute_cents
        self.facility_time_zone = facility_time_zone
        self.scheduled_at = scheduled_at
        self.status = VisitStatus.SCHEDULED
        self.cancelled_by: CancelledBy | None = None
        self.cancel_note = ""
        self.cancelled_at: datetime | None = None
        self.started_at: datetime | None = None
        self.ended_at: datetime | None = None
        self.end_reason: EndReason | None = None
        self.end_note = ""
        # The end begun (reason, time, note) and not recorded yet: the room is being closed by
        # our doing, so what the provider says of it from then on is the end's news.
        self.ending: tuple[EndReason, datetime, str] | None = None
        self.presence = {Side.VISITOR: False, Side.STATION: False}
        # The time of the last join or leave recorded for each side: older news changes nothing.
        self.last_seen: dict[Side, datetime | None] = {Side.VISITOR: None, Side.STATION: None}
        self.connected_since: datetime | None = None
        self.connected_seconds = 0.0  # closed stretches only; see connected_seconds_at
        # The last closed stretch, for an end timed before the leaves it caused were recorded.
        self.last_stretch: tuple[datetime, datetime] | None = None
        self.minutes_charged = 0
        self.charged_cents = 0
        self.charge_references: list[str] = []
        self.credited_cents = 0
        self.credit_references: list[str] = []
        self.interruptions = 0
        # Whether the last interruption was our side's doing (the station or the provider).
        self.interrupted_ours = False

    @classmethod
    def schedule(
        cls,
        visit_id: UUID,
        *,
        account_id: UUID,
        facility_id: str,
        resident_id: str,
        kind: VisitKind,
        station: int,
        starts_at: datetime,
        slot_minutes: int,
        price_per_minute_cents: int,
        facility_time_zone: str,
        at: datetime,
        direct_dial: bool = False,
    ) -> Visit:
        """A visit booked at `at` for the window starting `starts_at`; the price is frozen now,
        and an in-facility visit is free whatever the facility charges."""
        return cls(
            visit_id=visit_id,
            account_id=account_id,
            facility_id=facility_id,
            resident_id=resident_id,
            kind=kind.value,
            station=station,
            starts_at=_utc(starts_at),
            slot_minutes=slot_minutes,
            direct_dial=direct_dial,
            price_per_minute_cents=price_per_minute_cents if kind is VisitKind.REMOTE else 0,
            facility_time_zone=facility_time_zone,
            scheduled_at=_utc(at),
        )

    # --- Cancelling ---

    def cancel(self, by: CancelledBy, note: str, at: datetime) -> None:
        if self.status is VisitStatus.CANCELLED:
            return
        if self.status is not VisitStatus.SCHEDULED:
            raise VisitNotCancellable()
        self._cancelled(by.value, note, _utc(at))

    @event(Cancelled)
    def _cancelled(self, by: str, note: str, at: datetime) -> None:
        self.status = VisitStatus.CANCELLED
        self.cancelled_by = CancelledBy(by)
        self.cancel_note = note
        self.cancelled_at = at
        self._nobody_present()

    # --- Joining and leaving ---

    def joined(self, side: Side, at: datetime) -> None:
        at = _utc(at)
        if self._past_news(side, at) or self.presence[side]:
            return
        if not self.presence[_other(side)]:
            self._joined(side.value, at)
        elif self.started_at is None:
            self._started(side.value, at)
        else:
            self._resumed(side.value, at)

    @event(Joined)
    def _joined(self, side: str, at: datetime) -> None:
        self._present(Side(side), at)

    @event(Started)
    def _started(self, side: str, at: datetime) -> None:
        self._present(Side(side), at)
        self.started_at = at
        self._connect(at)

    @event(Resumed)
    def _resumed(self, side: str, at: datetime) -> None:
        self._present(Side(side), at)
        self._connect(at)

    def left(self, side: Side, at: datetime, ours: bool) -> None:
        """`side` left the room; `ours` when we dropped it (the station, not the visitor's
        network or hang-up)."""
        at = _utc(at)
        if self._past_news(side, at) or not self.presence[side]:
            return
        if self.status is VisitStatus.IN_PROGRESS:
            self._interrupted(InterruptedSide(side.value).value, ours, at)
        else:
            self._left(side.value, at)

    def room_finished(self, at: datetime) -> None:
        """The provider closed the room: both sides are out, by our doing."""
        at = _utc(at)
        if self.status in FINAL or self.ending is not None:
            return
        if self.status is VisitStatus.IN_PROGRESS:
            self._interrupted(InterruptedSide.PROVIDER.value, True, at)
            return
        for side in Side:
            if self.presence[side] and not self._old_news(side, at):
                self._left(side.value, at)

    @event(Left)
    def _left(self, side: str, at: datetime) -> None:
        self.presence[Side(side)] = False
        self.last_seen[Side(side)] = at

    @event(Interrupted)
    def _interrupted(self, side: str, ours: bool, at: datetime) -> None:
        self._disconnect(at)
        if side == InterruptedSide.PROVIDER:
            self._nobody_present()
            self.last_seen = dict.fromkeys(Side, at)
        else:
            self.presence[Side(side)] = False
            self.last_seen[Side(side)] = at
        self.status = VisitStatus.INTERRUPTED
        self.interruptions += 1
        self.interrupted_ours = ours

    def _past_news(self, side: Side, at: datetime) -> bool:
        """News of `side` that changes nothing: the visit is over or its end begun (the room
        closing by our doing), or the news is older than what was recorded of that side."""
        return self.status in FINAL or self.ending is not None or self._old_news(side, at)

    def _old_news(self, side: Side, at: datetime) -> bool:
        last = self.last_seen[side]
        return last is not None and at <= last

    def _present(self, side: Side, at: datetime) -> None:
        self.presence[side] = True
        self.last_seen[side] = at

    def _connect(self, at: datetime) -> None:
        self.status = VisitStatus.IN_PROGRESS
        self.connected_since = at

    def _disconnect(self, at: datetime) -> None:
        if self.connected_since is not None:
            self.connected_seconds += max(0.0, (at - self.connected_since).total_seconds())
            self.last_stretch = (self.connected_since, at)
            self.connected_since = None

    def _stop_counting_at(self, at: datetime) -> None:
        """The end is timed before the room is closed, so the leaves that closing causes may
        be recorded first, later than the end: connected time stops at the end."""
        if self.last_stretch is None:
            return
        began, stopped = self.last_stretch
        if stopped > at:
            self.connected_seconds -= (stopped - max(at, began)).total_seconds()
            self.last_stretch = (began, max(at, began))

    def _nobody_present(self) -> None:
        self.presence = dict.fromkeys(Side, False)

    # --- Time and minutes ---

    def connected_seconds_at(self, now: datetime) -> float:
        """Connected time so far: the closed stretches and the one open now, if any."""
        if self.connected_since is None:
            return self.connected_seconds
        return self.connected_seconds + max(0.0, (now - self.connected_since).total_seconds())

    def minutes_due(self, now: datetime) -> int:
        """Every minute begun is due on a remote visit (minute n begins when the connected time
        passes (n-1)·60 s); an in-facility visit owes nothing."""
        if self.kind is VisitKind.IN_FACILITY:
            return 0
        return math.ceil(self.connected_seconds_at(now) / SECONDS_PER_MINUTE)

    def is_over(self, now: datetime) -> bool:
        return now >= self.ends_at

    @property
    def books_its_window(self) -> bool:
        """Whether it still takes its station, resident and visitor for its window."""
        return self.status in BOOKED

    @property
    def anyone_present(self) -> bool:
        return any(self.presence.values())

    # --- Money ---

    def minute_charged(self, minute: int, amount_cents: int, reference: str) -> None:
        """Minute `minute` was charged under `reference`; the next minute only, once."""
        if reference in self.charge_references:
            return
        if minute != self.minutes_charged + 1:
            raise MinuteOutOfOrder(self.minutes_charged + 1)
        self._minute_charged(minute, amount_cents, reference)

    @event(MinuteCharged)
    def _minute_charged(self, minute: int, amount_cents: int, reference: str) -> None:
        self.minutes_charged = minute
        self.charged_cents += amount_cents
        self.charge_references.append(reference)

    def credited(self, amount_cents: int, why: CreditReason, reference: str) -> None:
        """`amount_cents` given back under `reference`, once; never more than was charged."""
        if reference in self.credit_references:
            return
        if amount_cents <= 0:
            raise AmountNotPositive()
        if self.credited_cents + amount_cents > self.charged_cents:
            raise CreditAboveCharged(self.charged_cents - self.credited_cents)
        self._credited(amount_cents, why.value, reference)

    @event(Credited)
    def _credited(self, amount_cents: int, why: str, reference: str) -> None:
        self.credited_cents += amount_cents
        self.credit_references.append(reference)

    # --- The end ---

    def end(self, reason: EndReason, at: datetime, note: str = "") -> None:
        """Ended for `reason`: the open stretch closes at `at`. A visit that connected, or
        scheduled with a side already in the room; ending it again changes nothing."""
        if self.status is VisitStatus.ENDED:
            return
        self.check_endable()
        self._ended(reason.value, _utc(at), note)

    def begin_end(self, reason: EndReason, at: datetime, note: str = "") -> None:
        """The end begins, recorded before the room is closed: the leaves the closing causes are
        not taken for an interruption on our side (decision 0108). The first end begun is the
        one recorded; beginning another changes nothing."""
        if self.status is VisitStatus.ENDED or self.ending is not None:
            return
        self.check_endable()
        self._end_begun(reason.value, _utc(at), note)

    @event(EndBegun)
    def _end_begun(self, reason: str, at: datetime, note: str) -> None:
        self.ending = (EndReason(reason), at, note)

    def check_endable(self) -> None:
        if self.status not in CONNECTED_ONCE and not (
            self.status is VisitStatus.SCHEDULED and self.anyone_present
        ):
            raise VisitNotEndable()

    @event(Ended)
    def _ended(self, reason: str, at: datetime, note: str) -> None:
        self._disconnect(at)
        self._stop_counting_at(at)
        self._nobody_present()
        self.status = VisitStatus.ENDED
        self.end_reason = EndReason(reason)
        self.ended_at = at
        self.end_note = note
        self.ending = None

    def missed(self, at: datetime) -> None:
        """The window is over and both sides were never present together: nothing is owed."""
        if self.status is VisitStatus.MISSED:
            return
        if self.status is not VisitStatus.SCHEDULED:
            raise VisitNotMissable()
        self._missed(_utc(at))

    @event(Missed)
    def _missed(self, at: datetime) -> None:
        self.status = VisitStatus.MISSED
        self.ended_at = at
        self._nobody_present()

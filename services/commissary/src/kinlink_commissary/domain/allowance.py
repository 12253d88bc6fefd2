"""A commissary allowance: what a family member gives a resident to spend on commissary, held on
the family member's card by the ledger (requirements "What is a Commissary Allowance").

The allowance is saved with the ledger's answer to the hold: ACTIVE, or DECLINED with the
reason. While ACTIVE, the resident's purchases at the facility use it (each at most what is
left). It ends when its period ends or when the family ends it early: ENDING, and the ledger
captures only what was used and releases the rest; the ledger's answer makes it ENDED, with
what was captured and released and the receipt of the capture.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from datetime import timedelta
from enum import StrEnum
from uuid import UUID

from eventsourcing.domain import Aggregate
from eventsourcing.domain import event
from kinlink_kit.errors import AlreadyExists
from kinlink_kit.errors import InvalidArgument
from kinlink_kit.errors import NotFound

from kinlink_commissary.domain.ids import allowance_key
from kinlink_commissary.domain.ports import AllowanceRequest
from kinlink_commissary.domain.ports import Hold


class AllowanceStatus(StrEnum):
    ACTIVE = "active"
    DECLINED = "declined"
    # Ended here; the ledger has not yet said what it captured and released.
    ENDING = "ending"
    ENDED = "ended"


class AllowanceNotFound(NotFound):
    """Also what an allowance is to a caller who may not see it."""

    def __init__(self) -> None:
        super().__init__("allowance_not_found", "No such allowance.")


class AllowanceIdReused(AlreadyExists):
    def __init__(self) -> None:
        super().__init__(
            "allowance_id_reused",
            "This allowance id was used for another allowance: choose a new one.",
        )


class AmountNotPositive(InvalidArgument):
    def __init__(self) -> None:
        super().__init__("amount_not_positive", "The amount must be more than $0.00.")


def check_request(request: AllowanceRequest) -> None:
    if request.amount_cents <= 0:
        raise AmountNotPositive()


@dataclass(frozen=True)
class AllowanceUse:
    order_reference: str
    amount_cents: int
    purchased_at: datetime


class Allowance(Aggregate):
    class Created(Aggregate.Created):
        allowance_id: UUID
        account_id: UUID
        facility_id: str
        resident_id: str
        amount_cents: int
        payment_method: str
        held: bool
        decline_reason: str
        created_at: datetime
        period_ends_at: datetime

    class Used(Aggregate.Event):
        order_reference: str
        amount_cents: int
        purchased_at: datetime

    class Ended(Aggregate.Event):
        ended_at: datetime

    class Settled(Aggregate.Event):
        captured_cents: int
        released_cents: int
        receipt_number: str
        settled_at: datetime

    @staticmethod
    def create_id(allowance_id: UUID, **_: object) -> UUID:
        return allowance_key(allowance_id)

    @classmethod
    def answered(
        cls,
        allowance_id: UUID,
        request: AllowanceRequest,
        hold: Hold,
        now: datetime,
        period: timedelta,
    ) -> Allowance:
        """The allowance as the ledger answered its hold: active for `period`, or declined."""
        return cls(
            allowance_id=allowance_id,
            account_id=request.account_id,
            facility_id=request.facility_id,
            resident_id=request.resident_id,
            amount_cents=request.amount_cents,
            payment_method=request.payment_method,
            held=hold.held,
            decline_reason=hold.decline_reason,
            created_at=now,
            period_ends_at=now + period,
        )

    @event(Created)
    def __init__(
        self,
        allowance_id: UUID,
        account_id: UUID,
        facility_id: str,
        resident_id: str,
        amount_cents: int,
        payment_method: str,
        held: bool,
        decline_reason: str,
        created_at: datetime,
        period_ends_at: datetime,
    ) -> None:
        self.allowance_id = allowance_id
        self.account_id = account_id
        self.facility_id = facility_id
        self.resident_id = resident_id
        self.amount_cents = amount_cents
        self.payment_method = payment_method
        self.status = AllowanceStatus.ACTIVE if held else AllowanceStatus.DECLINED
        self.decline_reason = decline_reason
        self.created_at = created_at
        self.period_ends_at = period_ends_at
        self.uses: list[AllowanceUse] = []
        self.ended_at: datetime | None = None
        self.captured_cents = 0
        self.released_cents = 0
        self.receipt_number = ""

    def check_same_request(self, request: AllowanceRequest) -> None:
        asked = (
            request.account_id,
            request.facility_id,
            request.resident_id,
            request.amount_cents,
            request.payment_method,
        )
        mine = (
            self.account_id,
            self.facility_id,
            self.resident_id,
            self.amount_cents,
            self.payment_method,
        )
        if asked != mine:
            raise AllowanceIdReused()

    @property
    def used_cents(self) -> int:
        return sum(use.amount_cents for use in self.uses)

    @property
    def left_cents(self) -> int:
        """What purchases may still take: nothing once it no longer pays."""
        if self.status is not AllowanceStatus.ACTIVE:
            return 0
        return self.amount_cents - self.used_cents

    def pay(self, order_reference: str, amount_cents: int, purchased_at: datetime) -> int:
        """Pay what it can of a purchase made in its period (at most what is left); what it
        paid. A purchase reported late, once the period is over, is paid if it was made in it
        and the allowance has not ended yet."""
        if not self.created_at <= purchased_at < self.period_ends_at:
            return 0
        part = min(self.left_cents, amount_cents)
        if part > 0:
            self._used(order_reference, part, purchased_at)
        return part

    @event(Used)
    def _used(self, order_reference: str, amount_cents: int, purchased_at: datetime) -> None:
        self.uses.append(AllowanceUse(order_reference, amount_cents, purchased_at))

    def period_over(self, now: datetime) -> bool:
        return self.status is AllowanceStatus.ACTIVE and now >= self.period_ends_at

    def end(self, now: datetime) -> None:
        """No more purchases use it; ending it again (or a declined one) changes nothing."""
        if self.status is AllowanceStatus.ACTIVE:
            self._ended(now)

    @event(Ended)
    def _ended(self, ended_at: datetime) -> None:
        self.status = AllowanceStatus.ENDING
        self.ended_at = ended_at

    def settle(
        self, captured_cents: int, released_cents: int, receipt_number: str, at: datetime
    ) -> None:
        """The ledger's end of the hold. It may come before ours (the ledger ends every hold
        before its card would drop it): the allowance then pays no more either."""
        if self.status in (AllowanceStatus.ACTIVE, AllowanceStatus.ENDING):
            self._settled(captured_cents, released_cents, receipt_number, at)

    @event(Settled)
    def _settled(
        self, captured_cents: int, released_cents: int, receipt_number: str, settled_at: datetime
    ) -> None:
        self.status = AllowanceStatus.ENDED
        self.ended_at = self.ended_at or settled_at
        self.captured_cents = captured_cents
        self.released_cents = released_cents
        self.receipt_number = receipt_number

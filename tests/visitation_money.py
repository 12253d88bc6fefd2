"""What the tests of visitation's money stand on: a family's wallet kept in memory with the
ledger's promises (a minute charged once per reference at one price, never below zero; a charge
refunded once; a credit granted once per reference; `unreachable` answers as a ledger that
cannot be reached, `killed_after_charging` charges and dies before the answer), the video
provider's rooms (the simulated provider, saying which it closed), and visits booked and
connected directly on the aggregate (scheduling has its own tests)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from uuid import UUID
from uuid import uuid4

from kinlink_kit.application import utc_now
from kinlink_kit.errors import InvalidArgument
from kinlink_visitation.adapters.simulated_rooms import SimulatedRooms
from kinlink_visitation.domain.video import VideoUnavailable
from kinlink_visitation.domain.visit import Side
from kinlink_visitation.domain.visit import Visit
from kinlink_visitation.domain.visit import VisitKind
from kinlink_visitation.domain.wallet import ChargeItem
from kinlink_visitation.domain.wallet import InsufficientCredit
from kinlink_visitation.domain.wallet import Payment
from kinlink_visitation.domain.wallet import WalletUnavailable

MINUTE_CENTS = 25
UNLIMITED = 10**9  # cents: what an unlimited wallet says it holds
FACILITY = "FAC-VIDEO"
OTHER_FACILITY = "FAC-ELSEWHERE"
RESIDENT = "R-1"
# A Tuesday afternoon in the facility's time zone (America/Chicago).
STARTS_AT = datetime(2026, 11, 24, 20, tzinfo=UTC)
SECOND = timedelta(seconds=1)


class ProcessKilled(BaseException):
    """The process died here: nothing after this line of the use case ran."""


@dataclass
class MemoryWallet:
    balances: dict[UUID, int] = field(default_factory=dict)
    payments: dict[tuple[UUID, str], Payment] = field(default_factory=dict)
    refunded: list[str] = field(default_factory=list)
    credits: dict[str, int] = field(default_factory=dict)
    unreachable: bool = False
    killed_after_charging: bool = False
    # Every account covers any charge (tests about something else than money).
    unlimited: bool = False
    # Credits the ledger refuses, by reference (as it refuses one above its bound).
    refused_credits: set[str] = field(default_factory=set)
    # What happens elsewhere while the ledger is charging, once (e.g. an officer ending it).
    while_charging: Callable[[], object] | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    def fund(self, account_id: UUID, cents: int) -> None:
        self.balances[account_id] = self.balances.get(account_id, 0) + cents

    def charge(
        self, account_id: UUID, facility_id: str, items: tuple[ChargeItem, ...], reference: str
    ) -> Payment:
        if self.unreachable:
            raise WalletUnavailable()
        meanwhile, self.while_charging = self.while_charging, None
        if meanwhile is not None:
            meanwhile()
        with self.lock:
            first = self.payments.get((account_id, reference))
            if first is not None:
                return first
            amount = sum(MINUTE_CENTS * item.quantity for item in items)
            balance = self.balances.get(account_id, 0)
            if amount > balance and not self.unlimited:
                raise InsufficientCredit()
            self.balances[account_id] = balance - amount
            payment = Payment(reference, amount, balance - amount)
            self.payments[(account_id, reference)] = payment
        if self.killed_after_charging:
            raise ProcessKilled()
        return payment

    def find_payment(self, account_id: UUID, reference: str) -> Payment | None:
        if self.unreachable:
            raise WalletUnavailable()
        return self.payments.get((account_id, reference))

    def refund(self, account_id: UUID, facility_id: str, payment: Payment, reason: str) -> None:
        if self.unreachable:
            raise WalletUnavailable()
        with self.lock:
            if payment.reference not in self.refunded:
                self.refunded.append(payment.reference)
                self.fund(account_id, payment.amount_cents)

    def grant_credit(
        self, account_id: UUID, facility_id: str, amount_cents: int, reason: str, reference: str
    ) -> None:
        if self.unreachable:
            raise WalletUnavailable()
        if reference in self.refused_credits:
            raise InvalidArgument("amount_out_of_range", "A credit is from 1 cent to $1,000.")
        with self.lock:
            if reference not in self.credits:
                self.credits[reference] = amount_cents
                self.fund(account_id, amount_cents)

    def balance(self, account_id: UUID) -> int:
        if self.unreachable:
            raise WalletUnavailable()
        return UNLIMITED if self.unlimited else self.balances.get(account_id, 0)

    def charged(self, account_id: UUID) -> list[str]:
        """The references charged to the account, refunded or not, in the order charged."""
        return [reference for (account, reference) in self.payments if account == account_id]


class ClosingRooms(SimulatedRooms):
    """The simulated provider, also saying which rooms were closed, and not answering when
    `unreachable`."""

    def __init__(self, clock: Callable[[], datetime] = utc_now) -> None:
        super().__init__(clock)
        self.closed: list[UUID] = []
        self.unreachable = False

    def close_room(self, visit_id: UUID) -> None:
        if self.unreachable:
            raise VideoUnavailable()
        super().close_room(visit_id)
        self.closed.append(visit_id)


def booked(
    account_id: UUID,
    kind: VisitKind = VisitKind.REMOTE,
    *,
    facility_id: str = FACILITY,
    slot_minutes: int = 30,
) -> Visit:
    return Visit.schedule(
        uuid4(),
        account_id=account_id,
        facility_id=facility_id,
        resident_id=RESIDENT,
        kind=kind,
        station=1,
        starts_at=STARTS_AT,
        slot_minutes=slot_minutes,
        price_per_minute_cents=MINUTE_CENTS,
        facility_time_zone="America/Chicago",
        at=STARTS_AT.replace(day=STARTS_AT.day - 2),
    )


def connected(visit: Visit, at: datetime) -> Visit:
    """Both sides joined at `at`."""
    visit.joined(Side.VISITOR, at)
    visit.joined(Side.STATION, at)
    return visit


def in_the_room(rooms: SimulatedRooms, visit: Visit, at: datetime) -> None:
    """Both sides in the visit's room at the provider, as they are on the visit."""
    rooms.open_room(visit.visit_id, visit.ends_at)
    for side in Side:
        ticket = rooms.ticket(visit.visit_id, side, at, at + SECOND)
        rooms.join(ticket.token, at)

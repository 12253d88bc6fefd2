"""What the tests of visitation's money stand on: a family's wallet kept in memory with the
ledger's promises (a minute charged once per reference at one price, never below zero; a charge
refunded once; a credit granted once per reference; `unreachable` answers as a ledger that
cannot be reached, `killed_after_charging` charges and dies before the answer), the video
provider's rooms (the simulated provider, saying which it closed), and visits booked and
connected directly on the aggregate (scheduling has its own tests)."""

from __future__ import annotations

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
from kinlink_visitation.domain.wallet import InsufficientCredit
from kinlink_visitation.domain.wallet import Payment
from kinlink_visitation.domain.wallet import WalletUnavailable

from tests import memory_wallet

MINUTE_CENTS = 25
UNLIMITED = 10**9  # cents: what an unlimited wallet says it holds
FACILITY = "FAC-VIDEO"
OTHER_FACILITY = "FAC-ELSEWHERE"
RESIDENT = "R-1"
# A Tuesday afternoon in the facility's time zone (America/Chicago).
STARTS_AT = datetime(2026, 11, 24, 20, tzinfo=UTC)
SECOND = timedelta(seconds=1)


@dataclass
class MemoryWallet(memory_wallet.MemoryWallet[Payment]):
    """Every minute at `MINUTE_CENTS`."""

    payment = Payment
    insufficient_credit = InsufficientCredit
    unavailable = WalletUnavailable

    # Every account covers any charge (tests about something else than money).
    unlimited: bool = False
    # Credits the ledger refuses, by reference (as it refuses one above its bound).
    refused_credits: set[str] = field(default_factory=set)

    def price(self, facility_id: str, kind: str) -> int:
        return MINUTE_CENTS

    def covers(self, account_id: UUID, amount_cents: int) -> bool:
        return self.unlimited or super().covers(account_id, amount_cents)

    def balance(self, account_id: UUID) -> int:
        return UNLIMITED if self.unlimited and not self.unreachable else super().balance(account_id)

    def grant_credit(
        self, account_id: UUID, facility_id: str, amount_cents: int, reason: str, reference: str
    ) -> None:
        if reference in self.refused_credits and not self.unreachable:
            raise InvalidArgument("amount_out_of_range", "A credit is from 1 cent to $1,000.")
        super().grant_credit(account_id, facility_id, amount_cents, reason, reference)

    def references(self, account_id: UUID) -> list[str]:
        """The references charged to the account, refunded or not, in the order charged."""
        return [payment.reference for payment in self.charged(account_id)]


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

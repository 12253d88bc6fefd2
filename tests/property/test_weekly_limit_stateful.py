"""Hypothesis drives deposits and the clock across week boundaries and daylight-saving changes;
the ledger must agree with a simple model and never let a resident's week pass its limit."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import timedelta
from zoneinfo import ZoneInfo

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine
from hypothesis.stateful import initialize
from hypothesis.stateful import invariant
from hypothesis.stateful import rule
from kinlink_contracts.ledger import DeclineReason
from kinlink_kit.testing import Clock
from kinlink_kit.views import SqliteViews
from kinlink_ledger.adapters.facility_terms_directory import FacilityTermsDirectory
from kinlink_ledger.adapters.ledger_views import LedgerViews
from kinlink_ledger.adapters.simulated_processor import SimulatedProcessor
from kinlink_ledger.domain.deposit import DepositStatus
from kinlink_ledger.domain.money import Cents
from kinlink_ledger.service_layer.confirm_deposit import ConfirmDeposit
from kinlink_ledger.service_layer.confirm_deposit import confirm_deposit
from kinlink_ledger.service_layer.ledger import Ledger
from kinlink_ledger.service_layer.ledger import LedgerStore
from kinlink_ledger.service_layer.quote_deposit import QuoteDeposit
from kinlink_ledger.service_layer.quote_deposit import quote_deposit

from tests.ledger_facilities import D1
from tests.ledger_facilities import D2
from tests.ledger_facilities import MOTHER
from tests.ledger_facilities import configure_demo_facilities

CHICAGO = ZoneInfo("America/Chicago")
LIMIT = 30000
# Saturday evenings before the 2026 daylight-saving changes in Chicago, and an ordinary one.
STARTS = [
    datetime(2026, 3, 7, 20, 0, tzinfo=CHICAGO),
    datetime(2026, 10, 31, 20, 0, tzinfo=CHICAGO),
    datetime(2026, 11, 21, 22, 30, tzinfo=CHICAGO),
]
RESIDENTS = ["R-1", "R-2"]


def model_week(at: datetime) -> date:
    """Counted the other way round: back from the local day to the nearest Sunday."""
    day = at.astimezone(CHICAGO).date()
    while day.strftime("%A") != "Sunday":
        day -= timedelta(days=1)
    return day


class WeeklyLimitMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        # The in-memory event store: the same application code, no database.
        self.store = LedgerStore(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
        self.clock = Clock(STARTS[0])
        self.ledger = Ledger(
            self.store,
            LedgerViews.open(self.store, SqliteViews(":memory:")),
            FacilityTermsDirectory(self.store),
            SimulatedProcessor(),
            clock=self.clock,
        )
        configure_demo_facilities(self.ledger)
        self.captured: dict[tuple[str, date], int] = defaultdict(int)

    @initialize(start=st.sampled_from(STARTS))
    def start(self, start: datetime) -> None:
        self.clock.now = start.astimezone(UTC)

    @rule(minutes=st.integers(min_value=1, max_value=3 * 24 * 60))
    def time_passes(self, minutes: int) -> None:
        self.clock.now += timedelta(minutes=minutes)

    @rule(
        resident=st.sampled_from(RESIDENTS),
        depositor=st.sampled_from([D1, D2, MOTHER]),
        amount=st.integers(min_value=1, max_value=LIMIT),
        card=st.sampled_from(["pm_card_visa", "pm_card_visa", "pm_card_chargeDeclined"]),
    )
    def deposit(self, resident: str, depositor: str, amount: int, card: str) -> None:
        quote = quote_deposit(
            self.ledger, QuoteDeposit("FAC-DEMO", resident, depositor, Cents(amount))
        )
        week = (resident, model_week(self.clock.now))
        assert quote.weekly_remaining == LIMIT - self.captured[week]
        outcome = confirm_deposit(
            self.ledger, ConfirmDeposit(str(quote.id), depositor, card, str(quote.id))
        )
        fits = self.captured[week] + amount <= LIMIT
        if not fits:
            assert outcome.decline_reason is DeclineReason.LIMIT_EXCEEDED
        elif card == "pm_card_chargeDeclined":
            assert outcome.decline_reason is DeclineReason.CARD_DECLINED
        else:
            assert outcome.status is DepositStatus.CAPTURED
            assert outcome.week_start == week[1].isoformat()
            self.captured[week] += amount

    @invariant()
    def no_week_passes_the_limit(self) -> None:
        for (resident, sunday), total in self.captured.items():
            stored = self.ledger.week("FAC-DEMO", resident, sunday.isoformat())
            assert stored.reserved == total <= LIMIT

    def teardown(self) -> None:
        self.ledger.close()


TestWeeklyLimit = WeeklyLimitMachine.TestCase
TestWeeklyLimit.settings = settings(max_examples=60, stateful_step_count=30, deadline=None)

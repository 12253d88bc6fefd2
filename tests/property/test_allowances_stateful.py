"""Hypothesis drives allowances between the commissary and the ledger in one process, on SQLite
and on the real PostgreSQL: families create allowances (some cards declined), facilities report
purchases (some reported again), allowances end early or when their period is over, and the
events between the two services are carried in the order Kafka keeps (per resident) but with
each resident's stream carried at its own pace, some events delivered twice, and the ledger's
answers carried back in any order.

Whatever happens: the ledger never captures more than an allowance's hold, nor more than the
purchases reported for its resident; once everything is carried, each allowance's capture is
exactly what the commissary says it covered, the commissary records that capture, nothing stays
held, and the journal balances."""

from __future__ import annotations

from collections import defaultdict
from collections import deque
from collections.abc import Callable
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any
from uuid import UUID
from uuid import uuid4

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine
from hypothesis.stateful import invariant
from hypothesis.stateful import precondition
from hypothesis.stateful import rule
from hypothesis.stateful import run_state_machine_as_test
from kinlink_commissary.adapters.integration_events import CommissaryEventTranslator
from kinlink_commissary.bootstrap import CommissarySettings
from kinlink_commissary.bootstrap import build_commissary
from kinlink_commissary.domain.allowance import Allowance
from kinlink_commissary.domain.allowance import AllowanceStatus
from kinlink_commissary.domain.ports import AllowanceRequest
from kinlink_commissary.domain.ports import Hold
from kinlink_commissary.service_layer.commissary import Commissary
from kinlink_commissary.service_layer.create_allowance import CreateAllowance
from kinlink_commissary.service_layer.create_allowance import create_allowance
from kinlink_commissary.service_layer.end_allowance import end_allowances_over
from kinlink_commissary.service_layer.end_allowance import end_own_allowance
from kinlink_contracts.demo import facility_configured
from kinlink_contracts.envelope import Envelope
from kinlink_kit.auth import Principal
from kinlink_kit.auth import Role
from kinlink_kit.consumer import event_tracking
from kinlink_kit.eventstore import TrackedApplication
from kinlink_kit.testing import STORAGES
from kinlink_kit.testing import Clock
from kinlink_kit.testing import Infra
from kinlink_kit.testing.fixtures import new_database
from kinlink_kit.translation import EventTranslator
from kinlink_ledger.adapters.integration_events import LedgerEventTranslator
from kinlink_ledger.adapters.simulated_processor import SimulatedProcessor
from kinlink_ledger.bootstrap import LedgerSettings
from kinlink_ledger.bootstrap import build_ledger
from kinlink_ledger.domain import journal
from kinlink_ledger.domain.allowance import AllowanceStatus as HoldStatus
from kinlink_ledger.domain.money import Cents
from kinlink_ledger.service_layer.allowances import find_allowance
from kinlink_ledger.service_layer.authorize_allowance import AuthorizeAllowance
from kinlink_ledger.service_layer.authorize_allowance import authorize_allowance
from kinlink_ledger.service_layer.consume_allowance import consume_allowance
from kinlink_ledger.service_layer.end_allowance import allowance_ended
from kinlink_ledger.service_layer.ledger import Ledger

from tests.commissary_doubles import book
from tests.commissary_doubles import configure
from tests.commissary_doubles import deliver
from tests.commissary_doubles import facility_settings
from tests.commissary_doubles import purchase
from tests.commissary_orders import MemoryLedger
from tests.ledger_facilities import add_cards
from tests.ledger_facilities import book as book_in_ledger
from tests.ledger_facilities import configure as configure_ledger

FACILITY = "FAC-PROP"
CARDS = st.sampled_from(["pm_card_visa", "pm_card_visa", "pm_card_chargeDeclined"])


class LedgerInProcess:
    """The commissary's `AllowanceHolds` answered by the ledger's own use case."""

    def __init__(self, ledger: Ledger) -> None:
        self.ledger = ledger

    def authorize(self, allowance_id: UUID, request: AllowanceRequest) -> Hold:
        held = authorize_allowance(
            self.ledger,
            AuthorizeAllowance(
                allowance_id,
                request.account_id,
                request.facility_id,
                request.resident_id,
                Cents(request.amount_cents),
                request.payment_method,
            ),
        )
        if held.status is HoldStatus.DECLINED:
            return Hold(held=False, decline_reason=held.decline_reason or "")
        return Hold(held=True)


class Outbox:
    """A service's integration events as its relay would publish them, from where it is now."""

    def __init__(self, store: TrackedApplication, translate: EventTranslator) -> None:
        self.store = store
        self.translate = translate
        self.position = store.tracking.max_notification_id() or 0

    def new_events(self) -> list[Envelope]:
        notifications = self.store.tracking.select_notifications(
            self.position, 10_000, inclusive_of_start=False
        )
        if notifications:
            self.position = notifications[-1].id
        messages = [m for m in map(self.translate, notifications) if m is not None]
        return [Envelope.from_bytes(m.value) for m in messages]


class AllowancesMachine(RuleBasedStateMachine):
    def __init__(self, ledger: Ledger, commissary: Commissary, clock: Clock) -> None:
        super().__init__()
        self.ledger, self.commissary, self.clock = ledger, commissary, clock
        # This example's residents and purchase references: the stores outlive it.
        self.run = run = uuid4().hex[:8]
        self.residents = [f"R-{run}-{n}" for n in range(2)]
        for resident_id in self.residents:
            book(commissary, resident_id, FACILITY)
            book_in_ledger(ledger, FACILITY, resident_id)
        self.family = uuid4()
        add_cards(ledger, str(self.family), "pm_card_visa", "pm_card_chargeDeclined")
        self.from_commissary = Outbox(commissary.store, CommissaryEventTranslator(commissary.store))
        self.from_ledger = Outbox(ledger.store, LedgerEventTranslator(ledger.store))
        # Kafka keeps a resident's events in order: one queue per resident, carried in turn.
        self.to_ledger: dict[str, deque[Envelope]] = defaultdict(deque)
        self.carried_to_ledger: list[Envelope] = []
        self.to_commissary: list[Envelope] = []
        self.allowances: dict[UUID, int] = {}  # allowance id -> the amount held
        self.reported: dict[str, int] = defaultdict(int)  # resident -> purchases reported
        self.references: dict[str, tuple[str, int]] = {}  # reference -> (resident, amount)
        self.reported_references: set[str] = set()

    def _collect(self) -> None:
        for event in self.from_commissary.new_events():
            self.to_ledger[event.key].append(event)
        self.to_commissary.extend(
            e for e in self.from_ledger.new_events() if e.type == "AllowanceEnded"
        )

    @rule(resident=st.integers(0, 1), amount=st.integers(1, 5000), card=CARDS)
    def give(self, resident: int, amount: int, card: str) -> None:
        request = AllowanceRequest(self.family, FACILITY, self.residents[resident], amount, card)
        allowance = create_allowance(self.commissary, CreateAllowance(uuid4(), request))
        if allowance.status is AllowanceStatus.ACTIVE:
            self.allowances[allowance.allowance_id] = amount
        self._collect()

    @rule(
        resident=st.integers(0, 1),
        number=st.integers(0, 9),
        amount=st.integers(1, 4000),
    )
    def report_purchase(self, resident: int, number: int, amount: int) -> None:
        reference = f"O-{self.run}-{number}"
        # The facility's references are its own: one reference is one purchase, reported again
        # as it was the first time.
        resident_id, amount = self.references.setdefault(
            reference, (self.residents[resident], amount)
        )
        first = reference not in self.reported_references
        deliver(self.commissary, purchase(reference, amount, self.clock.now, resident_id, FACILITY))
        if first:
            self.reported_references.add(reference)
            self.reported[resident_id] += amount
        self._collect()

    @rule(hours=st.integers(1, 48))
    def time_passes(self, hours: int) -> None:
        self.clock.now += timedelta(hours=hours)
        end_allowances_over(self.commissary)
        self._collect()

    @precondition(lambda self: self.allowances)
    @rule(data=st.data())
    def end_early(self, data: st.DataObject) -> None:
        # In the order they were given: ids are random, so an order by id would make the same
        # choices end another allowance, and what Hypothesis draws next depend on more than them.
        allowance_id = data.draw(st.sampled_from(list(self.allowances)))
        family = Principal(str(self.family), frozenset({Role.FAMILY_MEMBER}))
        end_own_allowance(self.commissary, allowance_id, family)
        self._collect()

    @rule(resident=st.integers(0, 1), twice=st.booleans())
    def carry_to_ledger(self, resident: int, twice: bool) -> None:
        queue = self.to_ledger[self.residents[resident]]
        if not queue:
            return
        event = queue.popleft()
        for _ in range(2 if twice else 1):
            self._to_ledger(event)
        self.carried_to_ledger.append(event)
        self._collect()

    @precondition(lambda self: self.carried_to_ledger)
    @rule(data=st.data())
    def an_old_event_comes_again(self, data: st.DataObject) -> None:
        self._to_ledger(data.draw(st.sampled_from(self.carried_to_ledger)))

    @precondition(lambda self: self.to_commissary)
    @rule(data=st.data(), twice=st.booleans())
    def carry_to_commissary(self, data: st.DataObject, twice: bool) -> None:
        index = data.draw(st.integers(0, len(self.to_commissary) - 1))
        event = self.to_commissary.pop(index)
        for _ in range(2 if twice else 1):
            deliver(self.commissary, event)

    def _to_ledger(self, event: Envelope) -> None:
        handlers: dict[str, Callable[[Ledger, Envelope, Any], None]] = {
            "AllowanceConsumed": consume_allowance,
            "AllowanceEnded": allowance_ended,
        }
        handler = handlers.get(event.type)
        tracking = event_tracking(event.event_id)
        if handler is not None and not self.ledger.store.has_processed(tracking):
            handler(self.ledger, event, tracking)  # the consumer skips what it processed

    @invariant()
    def the_ledger_captures_no_more_than_each_hold_nor_the_purchases_reported(self) -> None:
        captured: dict[str, int] = defaultdict(int)
        for allowance_id, amount in self.allowances.items():
            held = find_allowance(self.ledger, allowance_id)
            assert held is not None
            assert held.captured <= amount
            captured[held.resident_id] += held.captured
        for resident_id, total in captured.items():
            assert total <= self.reported[resident_id]

    def teardown(self) -> None:
        """Every allowance ended and everything carried: each capture is what it covered."""
        self.clock.now += timedelta(days=7)
        end_allowances_over(self.commissary)
        self._collect()
        while any(self.to_ledger.values()) or self.to_commissary:
            for resident_id in self.residents:
                while self.to_ledger[resident_id]:
                    self._to_ledger(self.to_ledger[resident_id].popleft())
            self._collect()
            while self.to_commissary:
                deliver(self.commissary, self.to_commissary.pop())
            self._collect()
        for allowance_id, amount in self.allowances.items():
            held = find_allowance(self.ledger, allowance_id)
            ours = self.commissary.find(Allowance.create_id(allowance_id), Allowance)
            assert held is not None and ours is not None
            assert held.status is HoldStatus.ENDED
            assert held.captured == ours.used_cents
            assert (ours.status, ours.captured_cents) == (AllowanceStatus.ENDED, held.captured)
            assert ours.released_cents == amount - held.captured
        balances = {b.account: b.balance for b in self.ledger.views.journal.balances()}
        assert sum(balances.values()) == 0
        for allowance_id in self.allowances:
            assert balances.get(journal.allowance_hold(allowance_id), 0) == 0


@contextmanager
def _databases(request: pytest.FixtureRequest) -> Iterator[tuple[str | None, str | None]]:
    """The ledger's and the commissary's PostgreSQL databases, or none (SQLite files)."""
    if request.param == "sqlite":
        yield None, None
        return
    infra: Infra = request.getfixturevalue("infra")
    with new_database(infra) as ledger_db, new_database(infra) as commissary_db:
        yield infra.postgres_url(ledger_db), infra.postgres_url(commissary_db)


@pytest.fixture(params=STORAGES)
def both_services(
    request: pytest.FixtureRequest, tmp_path: Path, clock: Clock
) -> Iterator[tuple[Ledger, Commissary]]:
    """The ledger and the commissary, each on its own store of the kind asked for."""
    with _databases(request) as (ledger_dsn, commissary_dsn):
        ledger = build_ledger(
            LedgerSettings(
                data_dir=tmp_path / "ledger", postgres_dsn=ledger_dsn, kafka_bootstrap=None
            ),
            SimulatedProcessor(clock=clock),
        )
        commissary = build_commissary(
            CommissarySettings(
                data_dir=tmp_path / "commissary",
                postgres_dsn=commissary_dsn,
                kafka_bootstrap=None,
            ),
            holds=LedgerInProcess(ledger),
            charges=MemoryLedger(),
        )
        ledger.clock = commissary.clock = clock
        settings = facility_settings(allowance_period_days=2)
        configure_ledger(ledger, facility_configured(FACILITY, settings))
        configure(commissary, FACILITY, allowance_period_days=2)
        try:
            yield ledger, commissary
        finally:
            commissary.close()
            ledger.close()


def test_captured_allowance_money_follows_the_purchases_the_commissary_covered(
    both_services: tuple[Ledger, Commissary], clock: Clock
) -> None:
    ledger, commissary = both_services
    run_state_machine_as_test(
        lambda: AllowancesMachine(ledger, commissary, clock),
        settings=settings(max_examples=25, stateful_step_count=30, deadline=None),
    )

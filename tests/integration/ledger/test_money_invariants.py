"""The money invariants of docs/architecture.md after random workloads that Hypothesis chooses,
on SQLite and on the real PostgreSQL: the journal balances; it agrees with what the cards were
charged and what is held on them; no wallet is negative and each agrees with its journal
accounts; no resident's week passes its limit; no commissary order is charged twice."""

from __future__ import annotations

import random
from collections import defaultdict

from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st
from kinlink_ledger.adapters.simulated_processor import SimulatedProcessor
from kinlink_ledger.domain import journal
from kinlink_ledger.domain.wallet import MessagingWallet
from kinlink_ledger.service_layer.ledger import Ledger

from tests.ledger_workload import Workload

LIMITS = {"FAC-DEMO": 30000, "FAC-EAST": 20000}


@settings(
    max_examples=6,
    deadline=None,
    # The ledger is one for all examples: the invariants must hold as the history grows.
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(seed=st.integers(0, 2**32 - 1), steps=st.integers(20, 80))
def test_every_money_invariant_holds_after_any_workload(
    ledger: Ledger, payments: SimulatedProcessor, seed: int, steps: int
) -> None:
    workload = Workload(random.Random(seed))
    workload.run(ledger, steps)
    balances = {b.account: b.balance for b in ledger.views.journal.balances()}

    assert sum(balances.values()) == 0
    assert balances.get(journal.CARD_CLEARING, 0) == payments.captured_total
    assert balances.get(journal.CARD_HOLDS, 0) == payments.held_total
    for account in workload.accounts:
        wallet = ledger.find(MessagingWallet.create_id(account), MessagingWallet)
        funds, credits = (wallet.funds, wallet.credits) if wallet else (0, 0)
        assert funds >= 0 and credits >= 0
        assert -balances.get(journal.wallet(account), 0) == funds
        assert -balances.get(journal.credits(account), 0) == credits

    weeks: dict[tuple[str, str, str], int] = defaultdict(int)
    for facility in LIMITS:
        for resident in ("R-1", "R-2", "R-3", "R-4"):
            for row in ledger.views.deposits.for_resident(facility, resident):
                if row["status"] in ("captured", "posted"):
                    weeks[facility, resident, row["week_start"]] += row["amount"]
    for (facility, _, _), total in weeks.items():
        assert total <= LIMITS[facility]

    for order in workload.orders:
        assert len(payments.charges(order_id=str(order.order_id))) <= 1

"""Two commissary replicas on one PostgreSQL database take a resident's purchases at the same
moment, some reported to both, while the family member ends an allowance: every purchase is
recorded once, no allowance pays more than it holds or anything after it ended, and what each
purchase says its allowances paid is exactly what they recorded."""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from uuid import uuid4

import pytest
from kinlink_commissary.bootstrap import CommissarySettings
from kinlink_commissary.bootstrap import build_commissary
from kinlink_commissary.domain.allowance import Allowance
from kinlink_commissary.domain.ports import AllowanceRequest
from kinlink_commissary.domain.purchase import Purchase
from kinlink_commissary.service_layer.commissary import Commissary
from kinlink_commissary.service_layer.create_allowance import CreateAllowance
from kinlink_commissary.service_layer.create_allowance import create_allowance
from kinlink_commissary.service_layer.end_allowance import end_own_allowance
from kinlink_kit.auth import Principal
from kinlink_kit.auth import Role
from kinlink_kit.testing import Clock
from kinlink_kit.testing import Infra

from tests.commissary_doubles import FACILITY
from tests.commissary_doubles import RESIDENT
from tests.commissary_doubles import MemoryHolds
from tests.commissary_doubles import book
from tests.commissary_doubles import configure
from tests.commissary_doubles import deliver
from tests.commissary_doubles import purchase
from tests.commissary_orders import MemoryLedger

PURCHASES = 40


@pytest.fixture
def replicas(infra: Infra, fresh_database: str, clock: Clock) -> Iterator[list[Commissary]]:
    settings = CommissarySettings(postgres_dsn=infra.postgres_url(fresh_database))
    apps = [
        build_commissary(settings, holds=MemoryHolds(), charges=MemoryLedger()) for _ in range(2)
    ]
    for app in apps:
        app.clock = clock
    configure(apps[0])
    book(apps[0], RESIDENT)
    yield apps
    for app in apps:
        app.close()


def test_concurrent_purchases_and_an_end_never_overpay_an_allowance(
    replicas: list[Commissary], clock: Clock
) -> None:
    family = uuid4()
    given = [
        create_allowance(
            replicas[0],
            CreateAllowance(uuid4(), AllowanceRequest(family, FACILITY, RESIDENT, amount, "pm")),
        )
        for amount in (1500, 2500, 1000)
    ]
    reports = [purchase(f"O-{n}", 100 + 37 * n % 300, clock.now) for n in range(PURCHASES)]
    start = threading.Barrier(7)

    def report(worker: int) -> None:
        start.wait()
        for n, envelope in enumerate(reports):
            if n % 3 == worker % 3:  # each purchase reported twice, once to each replica
                deliver(replicas[worker // 3], envelope)

    def end_the_last() -> None:
        start.wait()
        holder = Principal(str(family), frozenset({Role.FAMILY_MEMBER}))
        end_own_allowance(replicas[1], given[2].allowance_id, holder)

    with ThreadPoolExecutor(7) as pool:
        done = [pool.submit(report, worker) for worker in range(6)]
        done.append(pool.submit(end_the_last))
        for future in done:
            future.result()

    allowances = [replicas[0].find(a.id, Allowance) for a in given]
    purchases = [
        replicas[0].find(Purchase.create_id(FACILITY, f"O-{n}"), Purchase) for n in range(PURCHASES)
    ]
    assert all(p is not None for p in purchases)
    paid: dict[str, int] = defaultdict(int)
    for recorded in purchases:
        assert recorded is not None
        for allowance_id, part in recorded.paid_by_allowances.items():
            paid[allowance_id] += part
    for allowance in allowances:
        assert allowance is not None
        assert allowance.used_cents <= allowance.amount_cents
        assert paid[str(allowance.allowance_id)] == allowance.used_cents
        references = [u.order_reference for u in allowance.uses]
        assert len(references) == len(set(references))  # each purchase once
    total = sum(r.amount_cents for r in purchases if r is not None)
    covered = sum(a.used_cents for a in allowances if a is not None)
    # The first two pay in full before any purchase is left to the resident's own balance.
    assert covered >= min(total, 4000)

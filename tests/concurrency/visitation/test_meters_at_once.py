"""Two visitation replicas on one PostgreSQL database meter the same visits at once (a leader
handing over while the old one still sweeps, an officer's end racing the meter): every minute
is charged once, and a drop on our side is given back once, however the sweeps interleave."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from uuid import uuid4

import pytest
from kinlink_kit.testing import Clock
from kinlink_kit.testing import Infra
from kinlink_visitation.bootstrap import VisitationSettings
from kinlink_visitation.bootstrap import build_visitation
from kinlink_visitation.domain.visit import Side
from kinlink_visitation.domain.visit import Visit
from kinlink_visitation.domain.visit import VisitNotFound
from kinlink_visitation.service_layer.meter import meter_visits
from kinlink_visitation.service_layer.visitation import Visitation

from tests.visitation_money import SECOND
from tests.visitation_money import STARTS_AT
from tests.visitation_money import ClosingRooms
from tests.visitation_money import MemoryWallet
from tests.visitation_money import booked
from tests.visitation_money import connected

VISITS = 12
ROUNDS = 3


@pytest.fixture
def wallet() -> MemoryWallet:
    return MemoryWallet()


@pytest.fixture
def replicas(
    infra: Infra, fresh_database: str, clock: Clock, wallet: MemoryWallet
) -> Iterator[list[Visitation]]:
    settings = VisitationSettings(postgres_dsn=infra.postgres_url(fresh_database))
    apps = [build_visitation(settings, wallet=wallet, rooms=ClosingRooms()) for _ in range(2)]
    for app in apps:
        app.clock = clock
    yield apps
    for app in apps:
        app.close()


def together(replicas: list[Visitation]) -> None:
    """Each replica meters every visit, four at a time, both at once, ROUNDS times."""
    with ThreadPoolExecutor(len(replicas) * ROUNDS) as pool:
        for _ in pool.map(lambda app: meter_visits(app, 4), replicas * ROUNDS):
            pass


def test_two_meters_at_once_charge_each_minute_once_and_give_a_dropped_one_back_once(
    replicas: list[Visitation], wallet: MemoryWallet, clock: Clock
) -> None:
    visits = []
    for _ in range(VISITS):
        account = uuid4()
        wallet.fund(account, 1000)
        visits.append(connected(booked(account), STARTS_AT))
    replicas[0].store.save(*visits)

    clock.now = STARTS_AT + 150 * SECOND  # minute 3 begun
    together(replicas)
    dropped = STARTS_AT + 160 * SECOND

    def station_left(visit: Visit) -> Visit:
        visit.left(Side.STATION, dropped, ours=True)
        return visit

    for visit in visits:
        replicas[1].change(visit.id, Visit, station_left, missing=VisitNotFound)
    clock.now = dropped + 5 * SECOND
    together(replicas)

    for visit in visits:
        after = replicas[0].find(visit.id, Visit)
        assert after is not None
        assert (after.minutes_charged, after.charged_cents, after.credited_cents) == (3, 75, 25)
        assert wallet.references(visit.account_id) == [
            f"visit:{visit.visit_id}:minute:{n}" for n in (1, 2, 3)
        ]
        assert wallet.balances[visit.account_id] == 1000 - 50
    assert len(wallet.refunded) == VISITS

"""Two visitation replicas on one PostgreSQL database take bookings of overlapping slots from
many threads at once: no station, resident or visitor is ever booked twice for one moment, and
every refusal says which was taken."""

from __future__ import annotations

import random
import threading
from collections import Counter
from collections.abc import Callable
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from itertools import combinations
from uuid import UUID
from uuid import uuid4

import pytest
from kinlink_kit.errors import ClientError
from kinlink_kit.testing import Clock
from kinlink_kit.testing import Infra
from kinlink_visitation.bootstrap import VisitationSettings
from kinlink_visitation.bootstrap import build_visitation
from kinlink_visitation.domain.visit import Visit
from kinlink_visitation.service_layer.visitation import Visitation

from tests.visitation_doubles import FACILITY
from tests.visitation_doubles import FRIDAY
from tests.visitation_doubles import STATIONS
from tests.visitation_doubles import book
from tests.visitation_doubles import configure
from tests.visitation_doubles import local
from tests.visitation_doubles import schedule
from tests.visitation_money import MemoryWallet

THREADS = 12
RESIDENTS = [f"R-{n}" for n in range(1, 6)]
# Every slot offered on Friday between 09:00 and 10:00, of 15 or 30 minutes: they overlap.
STARTS = [(local(FRIDAY, 9, minute), 15) for minute in (0, 15, 30, 45)] + [
    (local(FRIDAY, 9, minute), 30) for minute in (0, 30)
]
REFUSALS = {"no_station_free", "resident_busy", "visitor_busy"}


@pytest.fixture
def replicas(infra: Infra, fresh_database: str, clock: Clock) -> Iterator[list[Visitation]]:
    settings = VisitationSettings(postgres_dsn=infra.postgres_url(fresh_database))
    apps = [build_visitation(settings, wallet=MemoryWallet()) for _ in range(2)]
    for app in apps:
        app.clock = clock
    configure(apps[0])
    for resident_id in RESIDENTS:
        book(apps[0], resident_id)
    yield apps
    for app in apps:
        app.close()


def at_once(calls: list[Callable[[], Visit]]) -> tuple[list[Visit], Counter[str]]:
    """Every call from its own thread, all released together: the visits booked, and the
    refusals by code."""
    start = threading.Barrier(len(calls))

    def run(call: Callable[[], Visit]) -> Visit | str:
        start.wait()
        try:
            return call()
        except ClientError as refusal:
            return refusal.code

    with ThreadPoolExecutor(len(calls)) as pool:
        outcomes = list(pool.map(run, calls))
    booked = [outcome for outcome in outcomes if isinstance(outcome, Visit)]
    return booked, Counter(outcome for outcome in outcomes if isinstance(outcome, str))


def stored_visits(app: Visitation) -> list[Visit]:
    keys = app.views.visits.of_facility_between(FACILITY, local(FRIDAY, 0), local(FRIDAY, 23))
    return [app.store.repository.get(key) for key in keys]


def overlap(one: Visit, other: Visit) -> bool:
    return one.starts_at < other.ends_at and other.starts_at < one.ends_at


def test_one_slot_asked_by_everyone_at_once_is_booked_once_per_station(
    replicas: list[Visitation],
) -> None:
    calls = [
        lambda n=n: schedule(
            replicas[n % 2], uuid4(), local(FRIDAY, 9), resident_id=RESIDENTS[n % len(RESIDENTS)]
        )
        for n in range(THREADS)
    ]
    booked, refused = at_once(calls)
    assert len(booked) == STATIONS
    assert sorted(visit.station for visit in booked) == list(range(1, STATIONS + 1))
    assert len({visit.resident_id for visit in booked}) == STATIONS
    assert set(refused) <= REFUSALS and sum(refused.values()) == THREADS - STATIONS
    assert {visit.id for visit in stored_visits(replicas[1])} == {visit.id for visit in booked}


def test_overlapping_bookings_from_two_replicas_never_double_book_anyone(
    replicas: list[Visitation],
) -> None:
    pick = random.Random(15)
    visitors = [uuid4() for _ in range(4)]
    rounds = []
    for _ in range(4):
        requests: list[tuple[UUID, str, datetime, int]] = [
            (pick.choice(visitors), pick.choice(RESIDENTS), *pick.choice(STARTS))
            for _ in range(THREADS)
        ]
        rounds.append(
            [
                lambda n=n, r=request: schedule(
                    replicas[n % 2], r[0], r[2], resident_id=r[1], slot_minutes=r[3]
                )
                for n, request in enumerate(requests)
            ]
        )
    refusals: Counter[str] = Counter()
    for calls in rounds:
        _, refused = at_once(calls)
        refusals += refused
    visits = stored_visits(replicas[0])
    assert len(visits) >= STATIONS and set(refusals) <= REFUSALS
    for one, other in combinations(visits, 2):
        if overlap(one, other):
            assert one.station != other.station, (one.id, other.id)
            assert one.resident_id != other.resident_id, (one.id, other.id)
            assert one.account_id != other.account_id, (one.id, other.id)
    # What the calendars hold is exactly what was booked.
    busy_minutes = sum((v.ends_at - v.starts_at).total_seconds() for v in visits) / 60
    assert busy_minutes <= STATIONS * 60

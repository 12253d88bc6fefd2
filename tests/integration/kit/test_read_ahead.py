"""Reading ahead on the real PostgreSQL: aggregates read in one statement are as fresh as finds
would have read them, a save forgets them, and a use case that lost a race reads the store again.

Two stores on one database stand for two replicas of a service."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from typing import ClassVar
from uuid import uuid4

import pytest
from eventsourcing.domain import Aggregate
from eventsourcing.domain import event
from kinlink_kit.application import retrying
from kinlink_kit.eventstore import TrackedApplication
from kinlink_kit.eventstore import open_store
from kinlink_kit.one_trip_recorder import OneTripPostgresProcessRecorder
from kinlink_kit.settings import ServiceSettings
from kinlink_kit.testing import Infra


class Tally(Aggregate):
    def __init__(self) -> None:
        self.count = 0

    @event("Counted")
    def count_one(self) -> None:
        self.count += 1


class Tallies(TrackedApplication):
    name = "tallies"
    env: ClassVar[dict[str, str]] = {
        "AGGREGATE_CACHE_MAXSIZE": "100",
        "AGGREGATE_CACHE_FASTFORWARD": "y",
    }


@pytest.fixture
def replicas(infra: Infra, fresh_database: str) -> Iterator[tuple[Tallies, Tallies]]:
    settings = ServiceSettings(postgres_dsn=infra.postgres_dsn)
    here, there = (open_store(Tallies, settings, fresh_database) for _ in range(2))
    yield here, there
    here.close()
    there.close()


class Trips:
    """The statements a store sends to read aggregates, counted; one per aggregate refused."""

    def __init__(self, store: Tallies, monkeypatch: pytest.MonkeyPatch) -> None:
        recorder = store.recorder
        assert isinstance(recorder, OneTripPostgresProcessRecorder)
        self.together = 0
        read_together = recorder.select_events_after

        def counted(*args: Any) -> Any:
            self.together += 1
            return read_together(*args)

        def refused(*args: Any, **kwargs: Any) -> Any:
            raise AssertionError("an aggregate read ahead was read again")

        monkeypatch.setattr(recorder, "select_events_after", counted)
        monkeypatch.setattr(recorder, "select_events", refused)


def saved(store: Tallies, counts: int = 0) -> Tally:
    tally = Tally()
    for _ in range(counts):
        tally.count_one()
    store.save(tally)
    return tally


def counted_there(there: Tallies, tally: Tally) -> None:
    found = there.find(tally.id, Tally)
    assert found is not None
    found.count_one()
    there.save(found)


def test_what_is_read_ahead_is_as_fresh_as_finds_and_costs_one_statement(
    replicas: tuple[Tallies, Tallies], monkeypatch: pytest.MonkeyPatch
) -> None:
    here, there = replicas
    changed, unchanged = saved(here), saved(here, counts=2)
    assert here.find(changed.id, Tally) is not None  # cached here
    assert here.find(unchanged.id, Tally) is not None
    counted_there(there, changed)  # the cached copy here is now behind
    made_there, missing = saved(there, counts=1), uuid4()
    trips = Trips(here, monkeypatch)

    with here.reading_ahead(changed.id, unchanged.id, made_there.id, missing):
        found = [here.find(i, Tally, to_change=False) for i in (changed.id, unchanged.id)]
        assert [tally.count if tally else None for tally in found] == [1, 2]
        fresh = here.find(made_there.id, Tally)
        assert fresh is not None and fresh.count == 1
        assert here.find(missing, Tally) is None
        # To change: a copy each time, never what the next find answers with.
        copy = here.find(changed.id, Tally)
        assert copy is not None
        copy.count_one()
        again = here.find(changed.id, Tally)
        assert again is not None and again.count == 1

    assert trips.together == 1


def test_a_save_forgets_what_was_read_ahead(replicas: tuple[Tallies, Tallies]) -> None:
    here, there = replicas
    tally = saved(here)

    with here.reading_ahead(tally.id):
        found = here.find(tally.id, Tally)
        assert found is not None
        found.count_one()
        here.save(found)
        counted_there(there, tally)
        after = here.find(tally.id, Tally)
        assert after is not None and after.count == 2


def test_a_use_case_that_lost_a_race_reads_the_store_again(
    replicas: tuple[Tallies, Tallies],
) -> None:
    here, there = replicas
    tally = saved(here)
    attempts = 0

    def count_here() -> int:
        nonlocal attempts
        attempts += 1
        found = here.find(tally.id, Tally)
        assert found is not None
        if attempts == 1:
            counted_there(there, tally)  # another replica moves first
        found.count_one()
        here.save(found)
        return found.count

    with here.reading_ahead(tally.id):
        assert retrying(count_here) == 2
    assert attempts == 2


def test_outside_the_block_finds_read_the_store(replicas: tuple[Tallies, Tallies]) -> None:
    here, there = replicas
    tally = saved(here)
    with here.reading_ahead(tally.id):
        assert here.find(tally.id, Tally) is not None
    counted_there(there, tally)
    found = here.find(tally.id, Tally)
    assert found is not None and found.count == 1


def test_a_cached_aggregate_brought_up_to_date_meanwhile_is_read_ahead_once(
    replicas: tuple[Tallies, Tallies], monkeypatch: pytest.MonkeyPatch
) -> None:
    here, there = replicas
    tally = saved(here)
    assert here.find(tally.id, Tally) is not None  # cached here at its first version
    counted_there(there, tally)
    counted_there(there, tally)
    recorder = here.recorder
    assert isinstance(recorder, OneTripPostgresProcessRecorder)
    read_together = recorder.select_events_after

    def while_another_thread_finds(versions: Any) -> Any:
        read = read_together(versions)
        # Another request's find brings the cached object up to date, in place, meanwhile.
        assert here.find(tally.id, Tally, to_change=False).count == 2  # type: ignore[union-attr]
        return read

    monkeypatch.setattr(recorder, "select_events_after", while_another_thread_finds)
    with here.reading_ahead(tally.id):
        found = here.find(tally.id, Tally)
        assert found is not None and found.count == 2

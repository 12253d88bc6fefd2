"""The kit's application base and its conflict policy, on SQLite and on the real PostgreSQL: two
stores on one database race for one aggregate, as two replicas of a service do."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from uuid import NAMESPACE_URL
from uuid import UUID
from uuid import uuid5

import pytest
from eventsourcing.domain import Aggregate
from eventsourcing.domain import event
from kinlink_kit.application import MAX_ATTEMPTS
from kinlink_kit.application import ServiceApplication
from kinlink_kit.errors import ConcurrentChange
from kinlink_kit.errors import NotFound
from kinlink_kit.eventstore import TrackedApplication
from kinlink_kit.eventstore import open_store
from kinlink_kit.settings import ServiceSettings
from kinlink_kit.testing import STORAGES
from kinlink_kit.testing import settings_on


class Tally(Aggregate):
    def __init__(self, name: str) -> None:
        self.name = name
        self.count = 0

    @classmethod
    def create_id(cls, name: str) -> UUID:
        return uuid5(NAMESPACE_URL, f"kinlink/test-tally/{name}")

    @event("Counted")
    def count_one(self) -> None:
        self.count += 1


class TallyNotFound(NotFound):
    def __init__(self) -> None:
        super().__init__("tally_not_found", "No such tally.")


class TallyStore(TrackedApplication):
    name = "tallies"


class NoViews:
    def close(self) -> None:
        pass


Tallies = ServiceApplication[TallyStore, NoViews]
TALLY = Tally.create_id("visits")


@pytest.fixture(params=STORAGES)
def settings(request: pytest.FixtureRequest) -> ServiceSettings:
    return settings_on(request, ServiceSettings)


@pytest.fixture
def replicas(settings: ServiceSettings) -> Iterator[tuple[Tallies, Tallies]]:
    """Two applications, each on its own store (its own connections) over one database."""
    first = Tallies(open_store(TallyStore, settings, "tallies"), NoViews())
    second = Tallies(open_store(TallyStore, settings, "tallies"), NoViews())
    first.store.save(Tally("visits"))
    yield first, second
    first.close()
    second.close()


def count(app: Tallies) -> int:
    tally = app.require(TALLY, Tally, TallyNotFound)
    return tally.count


def test_a_change_that_loses_the_race_reads_again_and_lands(
    replicas: tuple[Tallies, Tallies],
) -> None:
    mine, other = replicas
    seen: list[int] = []

    def count_one(tally: Tally) -> int:
        seen.append(tally.count)
        if len(seen) == 1:  # the other replica saves between our read and our save
            other.change(TALLY, Tally, Tally.count_one, missing=TallyNotFound)
        tally.count_one()
        return tally.count

    assert mine.change(TALLY, Tally, count_one, missing=TallyNotFound) == 2
    assert seen == [0, 1]
    assert count(mine) == count(other) == 2


def test_a_change_that_keeps_losing_is_refused_after_the_bound_and_saves_nothing(
    replicas: tuple[Tallies, Tallies],
) -> None:
    mine, other = replicas
    attempts = 0

    def always_overtaken(tally: Tally) -> None:
        nonlocal attempts
        attempts += 1
        other.change(TALLY, Tally, Tally.count_one, missing=TallyNotFound)
        tally.count_one()

    with pytest.raises(ConcurrentChange) as refused:
        mine.change(TALLY, Tally, always_overtaken, missing=TallyNotFound)
    assert (refused.value.code, refused.value.kind.value) == ("concurrent_change", "aborted")
    assert attempts == MAX_ATTEMPTS
    assert count(mine) == MAX_ATTEMPTS  # only the other replica's changes


def test_concurrent_changes_on_two_replicas_are_each_counted_once(
    replicas: tuple[Tallies, Tallies],
) -> None:
    threads_per_replica, changes_per_thread = 3, 15
    failures: list[BaseException] = []

    def work(app: Tallies) -> None:
        try:
            for _ in range(changes_per_thread):
                # As a client does with ABORTED: a change refused after the policy's attempts
                # (six threads on one aggregate, on a loaded machine) is asked for again.
                while True:
                    try:
                        app.change(TALLY, Tally, Tally.count_one, missing=TallyNotFound)
                        break
                    except ConcurrentChange:
                        continue
        except BaseException as error:
            failures.append(error)

    threads = [
        threading.Thread(target=work, args=(app,))
        for app in replicas
        for _ in range(threads_per_replica)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert count(replicas[0]) == 2 * threads_per_replica * changes_per_thread


def test_a_missing_aggregate_is_the_domains_refusal_or_created(
    replicas: tuple[Tallies, Tallies],
) -> None:
    mine, _ = replicas
    absent = Tally.create_id("calls")
    with pytest.raises(TallyNotFound) as refused:
        mine.change(absent, Tally, Tally.count_one, missing=TallyNotFound)
    assert (refused.value.code, refused.value.field) == ("tally_not_found", None)
    assert mine.find(absent, Tally) is None

    mine.change(absent, Tally, Tally.count_one, create=lambda: Tally("calls"))
    assert mine.require(absent, Tally, TallyNotFound).count == 1


def test_a_conflict_whose_winner_is_the_answer_ends_the_retries(
    replicas: tuple[Tallies, Tallies],
) -> None:
    """Two requests creating the same aggregate: the second answers with the first's."""
    mine, other = replicas
    greeting = Tally.create_id("greeting")
    other.store.save(Tally("greeting"))  # the same request, answered first elsewhere

    def create_counted() -> Tally:
        tally = Tally("greeting")
        tally.count_one()
        return tally

    attempts = 0

    def first_or_new() -> Tally:
        nonlocal attempts
        attempts += 1
        tally = create_counted()
        mine.store.save(tally)
        return tally

    answer = mine.retrying(first_or_new, on_conflict=lambda: mine.find(greeting, Tally))
    assert (attempts, answer.count) == (1, 0)

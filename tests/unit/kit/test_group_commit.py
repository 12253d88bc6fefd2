"""Group commit: concurrent saves share a transaction, and a conflict blames only its author."""

from __future__ import annotations

import threading
from collections.abc import Sequence

import pytest
from kinlink_kit.group_commit import GroupCommitter


class Conflict(Exception):
    pass


class FakeStore:
    """Records batches; refuses any batch holding a 'conflict' event, as the store would."""

    def __init__(self) -> None:
        self.batches: list[list[str]] = []
        self.recording = threading.Event()
        self.release = threading.Event()

    def record(self, events: Sequence[str]) -> None:
        self.recording.set()
        self.release.wait(5)
        if "conflict" in events:
            raise Conflict(list(events))
        self.batches.append(list(events))


def save_concurrently(
    committer: GroupCommitter, saves: list[list[str]]
) -> dict[int, BaseException]:
    errors: dict[int, BaseException] = {}

    def save(i: int) -> None:
        try:
            committer.commit(saves[i])
        except Exception as error:
            errors[i] = error

    threads = [threading.Thread(target=save, args=(i,)) for i in range(len(saves))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
        assert not thread.is_alive(), "a save never returned"
    return errors


def test_saves_waiting_together_are_recorded_in_one_batch() -> None:
    store = FakeStore()
    committer = GroupCommitter(store.record)
    blocker = threading.Thread(target=committer.commit, args=(["first"],))
    blocker.start()
    assert store.recording.wait(5)  # the writer is now busy with "first" until released
    saves = [[f"a{i}", f"b{i}"] for i in range(5)]
    done = threading.Thread(target=lambda: save_concurrently(committer, saves))
    done.start()
    while committer._queue.qsize() < len(saves):  # all five are waiting behind "first"
        threading.Event().wait(0.001)
    store.release.set()
    blocker.join(5)
    done.join(5)
    committer.close()
    assert store.batches[0] == ["first"]
    assert sorted(store.batches[1]) == sorted(e for s in saves for e in s)
    assert len(store.batches) == 2


def test_a_conflict_in_a_batch_fails_only_the_save_that_caused_it() -> None:
    store = FakeStore()
    store.release.set()
    committer = GroupCommitter(store.record)
    saves = [["ok-1"], ["conflict"], ["ok-2"], ["ok-3"]]
    errors = save_concurrently(committer, saves)
    committer.close()
    assert list(errors) == [1]
    assert isinstance(errors[1], Conflict)
    recorded = sorted(e for batch in store.batches for e in batch)
    assert recorded == ["ok-1", "ok-2", "ok-3"]


def test_a_lone_failing_save_raises_to_its_caller() -> None:
    store = FakeStore()
    store.release.set()
    committer = GroupCommitter(store.record)
    with pytest.raises(Conflict):
        committer.commit(["conflict"])
    committer.commit(["after"])
    committer.close()
    assert store.batches == [["after"]]


class Interrupted(BaseException):
    """Not an Exception, as KeyboardInterrupt, SystemExit or a cancellation are not."""


def test_a_save_interrupted_by_a_base_exception_does_not_hang_later_saves() -> None:
    def record(events: Sequence[str]) -> None:
        if "interrupted" in events:
            raise Interrupted()

    committer = GroupCommitter(record)
    outcomes: list[str] = []

    def save(events: list[str]) -> None:
        try:
            committer.commit(events)
        except Interrupted:
            outcomes.append("interrupted")
        else:
            outcomes.append("saved")

    for events in (["interrupted"], ["after"]):
        thread = threading.Thread(target=save, args=(events,), daemon=True)
        thread.start()
        thread.join(10)
        assert not thread.is_alive(), f"the save of {events} never returned"
    committer.close()
    assert outcomes == ["interrupted", "saved"]

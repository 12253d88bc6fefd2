"""A sweep stopped while a round runs in its worker thread: the thread cannot be stopped, so the
sweep returns only once the round is over, before its caller closes what the round uses (a
SQLite connection closed under a running query crashes the process)."""

from __future__ import annotations

import asyncio
import threading

import pytest
from kinlink_kit.leadership import Leadership
from kinlink_kit.sweep import Sweep


async def test_a_cancelled_sweep_returns_only_after_its_round_is_over() -> None:
    started, release, finished = threading.Event(), threading.Event(), threading.Event()

    def round_of_work() -> None:
        started.set()
        release.wait()
        finished.set()

    sweep = Sweep("a test sweep", round_of_work, Leadership(None, "a test sweep"), 60)
    task = asyncio.create_task(sweep.run())
    await asyncio.to_thread(started.wait)
    task.cancel()
    try:
        # The round has not been let go: the sweep cannot have returned, however long one waits.
        done, _ = await asyncio.wait({task}, timeout=0.2)
        assert not done
    finally:
        release.set()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert finished.is_set()

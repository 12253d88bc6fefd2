"""A follower of the event log that caught up lets the next events gather before it reads again;
one with a backlog (a full batch) reads the next batch at once (decision 0111)."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import pytest
from eventsourcing.persistence import Notification
from kinlink_kit.eventstore import TrackedApplication
from kinlink_kit.log_follower import LogFollower

from tests.parcels import Parcel
from tests.parcels import in_memory_depot


class Batches(LogFollower):
    """Notes the batches it is given."""

    def __init__(self, app: TrackedApplication) -> None:
        super().__init__(app, batch_size=2, gather_seconds=0.02)
        self.batches: list[int] = []

    def position(self) -> int:
        return 0

    async def handle(self, notifications: Sequence[Notification]) -> None:
        self.batches.append(len(notifications))


async def test_a_backlog_is_read_at_once_and_a_caught_up_follower_lets_events_gather(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    depot = in_memory_depot()
    depot.save(Parcel("first"), Parcel("second"), Parcel("third"))
    follower = Batches(depot)
    waits: list[float] = []

    async def noted(seconds: float) -> None:
        waits.append(seconds)

    monkeypatch.setattr(asyncio, "sleep", noted)

    position = await follower.follow_once(0)
    assert (follower.batches, waits) == ([2], [])  # a full batch: more may be waiting
    await follower.follow_once(position)
    assert (follower.batches, waits) == ([2, 1], [0.02])  # caught up: the next events gather
    depot.close()

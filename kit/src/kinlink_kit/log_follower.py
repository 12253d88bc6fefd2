"""Following an event store's notification log from a recorded position.

The outbox relay and the projections both do this: read the events stored after their position,
act on them, record the new position; wake up when this process saves, poll for the others.
"""

from __future__ import annotations

import asyncio
import contextlib
from abc import ABC
from abc import abstractmethod
from collections.abc import Sequence

from eventsourcing.persistence import Notification

from kinlink_kit.eventstore import TrackedApplication
from kinlink_kit.logging import get_logger

log = get_logger(__name__)

# How long a follower that caught up lets new events gather before reading them (decision 0111).
GATHER_SECONDS = 0.02


class LogFollower(ABC):
    def __init__(
        self,
        app: TrackedApplication,
        *,
        batch_size: int = 500,
        poll_seconds: float = 0.5,
        gather_seconds: float = GATHER_SECONDS,
    ) -> None:
        self.app = app
        self.batch_size = batch_size
        self.poll_seconds = poll_seconds
        self.gather_seconds = gather_seconds
        self._saved = asyncio.Event()
        self._listening = False

    @abstractmethod
    def position(self) -> int:
        """The id of the last notification fully handled (0 for none)."""

    @abstractmethod
    async def handle(self, notifications: Sequence[Notification]) -> None:
        """Act on a batch and record its last id as the new position."""

    async def run(self) -> None:
        """Follow until cancelled; a failed batch is retried from the last recorded position.
        Run again (a replica elected once more), it listens to the saves it listened to."""
        if not self._listening:
            self.app.on_save(asyncio.get_running_loop(), self._saved)
            self._listening = True
        position = await asyncio.to_thread(self.position)
        log.info("following the event log", follower=type(self).__name__, position=position)
        while True:
            try:
                position = await self.follow_once(position)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("following the event log failed; retrying", position=position)
                await asyncio.sleep(1.0)

    async def follow_once(self, position: int) -> int:
        """Handle one batch after `position`, or wait for new events; returns the new position."""
        notifications = await asyncio.to_thread(
            self.app.tracking.select_notifications,
            position,
            self.batch_size,
            inclusive_of_start=False,
        )
        if not notifications:
            self._saved.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._saved.wait(), self.poll_seconds)
            return position
        await self.handle(notifications)
        if len(notifications) < self.batch_size:
            # Caught up: let the next events gather a moment, so that a busy store is followed
            # in batches, not in one batch per save (each costs a transaction, a request to
            # the broker). A full batch means a backlog: the next one is read at once.
            await asyncio.sleep(self.gather_seconds)
        return notifications[-1].id

"""A sweep: work done now and then, in one replica at a time (see `leadership`), that survives
its own failures (the next round tries again)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable

from kinlink_kit.leadership import Leadership
from kinlink_kit.logging import get_logger

log = get_logger(__name__)


class Sweep:
    def __init__(
        self, name: str, work: Callable[[], object], leadership: Leadership, every_seconds: float
    ) -> None:
        self.name = name
        self.work = work
        self.leadership = leadership
        self.every_seconds = every_seconds

    async def run(self) -> None:
        """Sweep until cancelled, whenever this process leads."""
        await self.leadership.run(self._sweep_forever)

    async def _sweep_forever(self) -> None:
        while True:
            round_of_work = asyncio.ensure_future(asyncio.to_thread(self.work))
            try:
                await asyncio.shield(round_of_work)
            except asyncio.CancelledError:
                # A thread cannot be stopped: the round ends before the caller, stopping, closes
                # what it uses (a SQLite connection closed under a running query is a crash).
                with contextlib.suppress(Exception):
                    await round_of_work
                raise
            except Exception:
                log.exception("the sweep failed; it runs again later", sweep=self.name)
            await asyncio.sleep(self.every_seconds)

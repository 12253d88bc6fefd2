"""A sweep: work done now and then, in one replica at a time (see `leadership`), that survives
its own failures (the next round tries again)."""

from __future__ import annotations

import asyncio
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
            try:
                await asyncio.to_thread(self.work)
            except Exception:
                log.exception("the sweep failed; it runs again later", sweep=self.name)
            await asyncio.sleep(self.every_seconds)

"""The hold sweep as a background job: now and then, in one replica at a time, allowances whose
card hold is about to expire are ended (service_layer.release_expiring_holds)."""

from __future__ import annotations

import asyncio

from kinlink_kit.leadership import Leadership
from kinlink_kit.logging import get_logger

from kinlink_ledger.service_layer.ledger import Ledger
from kinlink_ledger.service_layer.release_expiring_holds import release_expiring_holds

log = get_logger(__name__)

# Far less than the day at least between a hold's age when swept and its expiry.
SWEEP_SECONDS = 600.0


class HoldSweep:
    def __init__(self, ledger: Ledger, hold_days: int, leadership: Leadership) -> None:
        self.ledger = ledger
        self.hold_days = hold_days
        self.leadership = leadership

    async def run(self) -> None:
        """Sweep until cancelled, whenever this process leads."""
        await self.leadership.run(self._sweep_forever)

    async def _sweep_forever(self) -> None:
        while True:
            try:
                await asyncio.to_thread(release_expiring_holds, self.ledger, self.hold_days)
            except Exception:
                log.exception("the hold sweep failed; it runs again later")
            await asyncio.sleep(SWEEP_SECONDS)

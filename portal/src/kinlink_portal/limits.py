"""Rate limits on the forms someone could try in bulk (log in, sign up), per client address.

Kept in memory, per replica: identity also throttles failed log-ins across replicas; this limit
only spares it (and the visitor's mailbox) a flood."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable

from kinlink_portal.services import Refusal


class AttemptLimit:
    def __init__(
        self,
        attempts: int,
        window_seconds: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.attempts = attempts
        self.window_seconds = window_seconds
        self.clock = clock
        self._seen: dict[str, deque[float]] = {}

    def check(self, address: str) -> None:
        """Count one attempt from `address`; refused (`too_many_attempts`) past the limit."""
        now = self.clock()
        recent = self._seen.setdefault(address, deque())
        while recent and recent[0] <= now - self.window_seconds:
            recent.popleft()
        if len(recent) >= self.attempts:
            raise Refusal("too_many_attempts")
        recent.append(now)
        # Forget addresses whose attempts have all aged out, so the table cannot grow for ever.
        if len(self._seen) > 10_000:
            self._seen = {
                key: seen
                for key, seen in self._seen.items()
                if seen[-1] > now - self.window_seconds
            }

"""Progress lines for long runs: how many so far, and the rate, about once a second."""

from __future__ import annotations

import sys
import time
from typing import TextIO


class Progress:
    def __init__(self, what: str, out: TextIO = sys.stderr, every: float = 1.0) -> None:
        self.what = what
        self.out = out
        self.every = every
        self.count = 0
        self.started = time.perf_counter()
        self._last_line = self.started

    def add(self, count: int) -> None:
        self.count += count
        now = time.perf_counter()
        if now - self._last_line >= self.every:
            self._last_line = now
            self._line(now)

    @property
    def seconds(self) -> float:
        return time.perf_counter() - self.started

    @property
    def rate(self) -> float:
        return self.count / self.seconds if self.seconds > 0 else 0.0

    def finish(self) -> None:
        self._line(time.perf_counter())

    def _line(self, now: float) -> None:
        seconds = now - self.started
        rate = self.count / seconds if seconds > 0 else 0.0
        print(f"  {self.count:,} {self.what} in {seconds:.1f}s ({rate:,.0f}/s)", file=self.out)

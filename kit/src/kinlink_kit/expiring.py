"""Values kept in memory for a while: what every request reads and what rarely changes (a
facility's settings), at the cost of a change reaching each replica up to `max_age` late."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from collections.abc import Hashable
from typing import Generic
from typing import TypeVar

Key = TypeVar("Key", bound=Hashable)
Value = TypeVar("Value")


class ExpiringCache(Generic[Key, Value]):
    """`read(key)` at most once per `max_age` seconds of `clock` (monotonic) for each key; what
    `read` raises is raised to the caller and not kept."""

    def __init__(
        self,
        read: Callable[[Key], Value],
        max_age: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.read = read
        self.max_age = max_age
        self.clock = clock
        self._kept: dict[Key, tuple[float, Value]] = {}  # key -> (when read, value)
        self._lock = threading.Lock()

    def get(self, key: Key) -> Value:
        now = self.clock()
        with self._lock:
            kept = self._kept.get(key)
        if kept is not None and now - kept[0] < self.max_age:
            return kept[1]
        value = self.read(key)
        with self._lock:
            self._kept[key] = (now, value)
        return value

    def forget(self, key: Key) -> None:
        """`key`'s value changed: read it again next time."""
        with self._lock:
            self._kept.pop(key, None)

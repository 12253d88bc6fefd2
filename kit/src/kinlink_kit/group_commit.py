"""Group commit: the saves of concurrent requests recorded in one transaction.

The event store serialises its writers (the PostgreSQL recorder locks the events table per
insert), and one insert of many events costs little more than an insert of one. A single writer
thread therefore takes every save waiting at that moment and records them together. When such a
batch fails (two requests changed the same aggregate), each save in it is retried alone so that
only the request at fault gets the error.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from typing import Any

Record = Callable[[Sequence[Any]], object]


@dataclass
class _PendingSave:
    events: Sequence[Any]
    done: threading.Event = field(default_factory=threading.Event)
    error: BaseException | None = None


class GroupCommitter:
    def __init__(self, record: Record, *, max_batch: int = 500, name: str = "group-commit") -> None:
        self._record = record
        self._max_batch = max_batch
        self._queue: queue.SimpleQueue[_PendingSave | None] = queue.SimpleQueue()
        self._writer = threading.Thread(target=self._write_forever, name=name, daemon=True)
        self._writer.start()

    def commit(self, events: Sequence[Any]) -> None:
        """Record `events` atomically, batched with other callers'; raises what recording raised."""
        pending = _PendingSave(events)
        self._queue.put(pending)
        pending.done.wait()
        if pending.error is not None:
            raise pending.error

    def close(self) -> None:
        self._queue.put(None)
        self._writer.join(timeout=10)

    def _write_forever(self) -> None:
        while True:
            first = self._queue.get()
            if first is None:
                return
            batch = [first]
            while len(batch) < self._max_batch:
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
                if item is None:
                    self._write(batch)
                    return
                batch.append(item)
            self._write(batch)

    def _write(self, batch: list[_PendingSave]) -> None:
        # BaseException too: whatever recording raises goes to its caller, and the writer lives
        # on, or every later save would wait forever.
        if len(batch) > 1:
            try:
                self._record([event for pending in batch for event in pending.events])
            except BaseException:
                pass
            else:
                for pending in batch:
                    pending.done.set()
                return
        for pending in batch:
            try:
                self._record(pending.events)
            except BaseException as error:
                pending.error = error
            finally:
                pending.done.set()

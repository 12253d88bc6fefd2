"""Reading ahead: the aggregates a use case is about to read, brought up to date in one trip.

A store with an aggregate cache brings a cached aggregate up to date on every read with the events
saved since (by any replica): one round trip to PostgreSQL per aggregate. A deposit's confirmation
reads up to five (the quote, the depositor's cards and requests, the resident and the resident's
week), and each trip costs the service a hand-off to the database and back. A use case that knows
the ids up front reads them ahead in one statement; the finds that follow in its block are
answered from what that statement read.

What was read ahead is as fresh as a find at that moment would have been. A save of one of them
forgets it (the saved object is newer), so a use case that tries again after losing a race reads
it from the store. Outside the block, and for other ids, finds read as before.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any
from uuid import UUID

from eventsourcing.application import Application
from eventsourcing.application import project_aggregate

from kinlink_kit.one_trip_recorder import OneTripPostgresProcessRecorder

# In the block: what was read ahead, by id (None: no such aggregate). Per use case: every call
# runs in a context of its own (asyncio.to_thread copies it).
_AHEAD: ContextVar[dict[UUID, Any] | None] = ContextVar("read_ahead", default=None)
NOT_AHEAD = object()


@contextmanager
def reading_ahead(app: Application[UUID], ids: Iterable[UUID]) -> Iterator[None]:
    """Read the aggregates `ids` in one trip for the finds in the block. Without an aggregate
    cache or a recorder that can (the embedded mode's SQLite), the finds read as before."""
    cache = app.repository.cache
    recorder = app.recorder
    if cache is None or not isinstance(recorder, OneTripPostgresProcessRecorder):
        yield
        return
    known: dict[UUID, Any] = {}
    for aggregate_id in ids:
        try:
            known[aggregate_id] = cache.get(aggregate_id)
        except KeyError:
            known[aggregate_id] = None
    news: dict[UUID, list[Any]] = defaultdict(list)
    stored = recorder.select_events_after(
        {i: 0 if aggregate is None else aggregate.version for i, aggregate in known.items()}
    )
    for event in stored:
        news[event.originator_id].append(app.mapper.to_domain_event(event))  # type: ignore[index]
    ahead: dict[UUID, Any] = {}
    for aggregate_id, aggregate in known.items():
        if news[aggregate_id]:
            aggregate = _brought_up_to_date(app, aggregate_id, aggregate, news[aggregate_id])
        ahead[aggregate_id] = aggregate
    token = _AHEAD.set(ahead)
    try:
        yield
    finally:
        _AHEAD.reset(token)


def ahead(aggregate_id: UUID) -> Any:
    """What was read ahead of this aggregate in the current block (None: it does not exist), or
    NOT_AHEAD when it was not."""
    read = _AHEAD.get()
    return NOT_AHEAD if read is None else read.get(aggregate_id, NOT_AHEAD)


def forget(aggregate_ids: Iterable[UUID]) -> None:
    """These aggregates are being saved: their next find reads the store."""
    read = _AHEAD.get()
    if read is not None:
        for aggregate_id in aggregate_ids:
            read.pop(aggregate_id, None)


def _brought_up_to_date(
    app: Application[UUID], aggregate_id: UUID, cached: Any, events: list[Any]
) -> Any:
    """The cached aggregate with the events it lacks applied, in place, as the library's own
    fast-forward does and under its lock for this aggregate: another thread may be bringing the
    same object up to date, and may have applied some of these events already. An aggregate not
    cached is made from its events and cached."""
    repository = app.repository
    if cached is None:
        made = project_aggregate(None, events)
        repository.cache.put(aggregate_id, made)  # type: ignore[union-attr]
        return made
    lock = repository._use_fastforward_lock(aggregate_id)
    try:
        with lock:
            lacking = [e for e in events if e.originator_version > cached.version]
            return project_aggregate(cached, lacking)
    finally:
        repository._disuse_fastforward_lock(aggregate_id)

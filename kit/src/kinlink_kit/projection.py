"""Projections: read models kept up to date by following the event store's log.

One process among a service's replicas on a database follows the log for the views (decision
0098), elected as the outbox relay is: every replica applying every event did the same upserts
once per replica and fought over the same rows. Reads stay up to date in every replica: each
view catches up before it answers (`Projection.catch_up`), applying itself what the elected
follower has not yet.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from collections.abc import Coroutine
from collections.abc import Sequence
from typing import Any

from eventsourcing.persistence import Notification
from eventsourcing.utils import get_topic

from kinlink_kit.eventstore import TrackedApplication
from kinlink_kit.leadership import elected_job
from kinlink_kit.log_follower import LogFollower
from kinlink_kit.settings import ServiceSettings
from kinlink_kit.views import ViewCursor
from kinlink_kit.views import ViewStore


class Projection(LogFollower):
    """Subclasses name their view, create its tables and apply each domain event to them.

    Applying must be idempotent and safe out of order with another process's projector of the
    same view (e.g. update only rows whose stored version is older than the event's)."""

    name: str
    ddl: str
    # The event classes the view is made of; the others are skipped without being decoded.
    event_types: tuple[type, ...]

    def __init__(self, app: TrackedApplication, views: ViewStore) -> None:
        super().__init__(app)
        self.views = views
        views.create(self.ddl)
        self._topics = {get_topic(cls) for cls in self.event_types}

    def apply(self, cursor: ViewCursor, domain_event: Any, position: int) -> None:
        """Apply one event; `position` is its place in the log."""
        raise NotImplementedError

    def position(self) -> int:
        return self.views.position(self.name)

    async def handle(self, notifications: Sequence[Notification]) -> None:
        await asyncio.to_thread(self.apply_batch, notifications)

    def wants(self, topic: str) -> bool:
        """Whether events of this stored type change the view."""
        return topic in self._topics

    def apply_batch(self, notifications: Sequence[Notification]) -> None:
        decoded = [
            (n.id, self.app.mapper.to_domain_event(n)) for n in notifications if self.wants(n.topic)
        ]
        self.apply_decoded(decoded, notifications[-1].id)

    def apply_decoded(self, events: Sequence[tuple[int, Any]], position: int) -> None:
        """Apply events already decoded, (position, event), and record `position` as reached:
        several views fed from one read of the log decode each event once."""
        with self.views.transaction() as cursor:
            for at, event in events:
                self.apply(cursor, event, at)
            self.views.record_position(cursor, self.name, position)

    def catch_up(self) -> None:
        """Bring the view up to every event stored before this call (read your own writes).

        Usually the background follower has done it already; otherwise the caller does the rest,
        which is safe because applying is idempotent."""
        target = self.app.tracking.max_notification_id() or 0
        position = self.position()
        while position < target:
            notifications = self.app.tracking.select_notifications(
                position, self.batch_size, inclusive_of_start=False
            )
            if not notifications:
                return
            self.apply_batch(notifications)
            position = notifications[-1].id


class ProjectionGroup(LogFollower):
    """Several projections of one store fed from a single read of its log: each event is read
    and decoded once for all of them, rather than once per projection. Each projection still
    records its own position, and is given only the events after it (one added later catches
    up from the start while the others go on)."""

    def __init__(self, app: TrackedApplication, projections: Sequence[Projection]) -> None:
        super().__init__(app)
        self.projections = list(projections)

    def position(self) -> int:
        return min((p.position() for p in self.projections), default=0)

    async def handle(self, notifications: Sequence[Notification]) -> None:
        await asyncio.to_thread(self.apply_batch, notifications)

    def apply_batch(
        self, notifications: Sequence[Notification], limits: dict[str, int] | None = None
    ) -> None:
        """Apply the batch to each projection past its position, up to its limit if given (an
        auditor's replay stops each where its live twin is)."""
        positions = {p.name: p.position() for p in self.projections}
        decoded = [
            (n.id, n.topic, self.app.mapper.to_domain_event(n))
            for n in notifications
            if any(p.wants(n.topic) and n.id > positions[p.name] for p in self.projections)
        ]
        for projection in self.projections:
            start = positions[projection.name]
            end = notifications[-1].id
            if limits is not None:
                end = min(end, limits[projection.name])
            if end <= start:
                continue
            due = [
                (at, event)
                for at, topic, event in decoded
                if start < at <= end and projection.wants(topic)
            ]
            projection.apply_decoded(due, end)


def projection_jobs(
    settings: ServiceSettings, database: str, follower: ProjectionGroup
) -> list[Callable[[], Coroutine[Any, Any, None]]]:
    """The background job following the store's log for its views, from this process when it is
    elected among the replicas on `database`; none when the settings keep this process out."""
    return elected_job(
        settings.projections,
        settings.database_url(database),
        f"{follower.app.name} projections",
        follower.run,
    )

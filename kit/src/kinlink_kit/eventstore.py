"""Event-store wiring: the `eventsourcing` library on PostgreSQL, or on SQLite when embedded."""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from collections.abc import Callable
from collections.abc import Sequence
from copy import deepcopy
from typing import Any
from typing import ClassVar
from typing import TypeVar
from urllib.parse import unquote
from urllib.parse import urlparse
from uuid import UUID

import psycopg
from eventsourcing.application import AggregateNotFoundError
from eventsourcing.application import Application
from eventsourcing.application import ProcessingEvent
from eventsourcing.domain import MutableOrImmutableAggregate
from eventsourcing.persistence import ProcessRecorder
from eventsourcing.persistence import Recording
from eventsourcing.persistence import Tracking
from eventsourcing.utils import get_topic

from kinlink_kit.errors import NotFound
from kinlink_kit.group_commit import GroupCommitter
from kinlink_kit.one_trip_recorder import OneTripPostgresProcessRecorder
from kinlink_kit.read_ahead import NOT_AHEAD
from kinlink_kit.read_ahead import ahead
from kinlink_kit.read_ahead import forget
from kinlink_kit.read_ahead import reading_ahead
from kinlink_kit.schema import SchemaNotMigrated
from kinlink_kit.schema import created_functions
from kinlink_kit.schema import created_tables
from kinlink_kit.schema import require_postgres_schema
from kinlink_kit.schema import require_sqlite_tables
from kinlink_kit.settings import ServiceSettings

__all__ = ["TrackedApplication", "Tracking", "store_env"]


def store_env(settings: ServiceSettings, database: str) -> dict[str, str]:
    """The `eventsourcing` environment for one service's store."""
    url = settings.database_url(database)
    if url is None:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        return {
            "PERSISTENCE_MODULE": "eventsourcing.sqlite",
            "SQLITE_DBNAME": str(settings.data_dir / f"{database}.sqlite"),
            "SQLITE_LOCK_TIMEOUT": "30",
        }
    parts = urlparse(url)
    return {
        "PERSISTENCE_MODULE": "eventsourcing.postgres",
        "POSTGRES_DBNAME": parts.path.lstrip("/"),
        "POSTGRES_HOST": parts.hostname or "127.0.0.1",
        "POSTGRES_PORT": str(parts.port or 5432),
        "POSTGRES_USER": unquote(parts.username or "postgres"),
        # The library insists on the variable, even when the server trusts local connections.
        "POSTGRES_PASSWORD": unquote(parts.password or ""),
        "POSTGRES_POOL_SIZE": str(settings.postgres_pool_size),
        "POSTGRES_MAX_OVERFLOW": str(settings.postgres_pool_size),
        "POSTGRES_CONNECT_TIMEOUT": "10",
    }


App = TypeVar("App", bound=Application[UUID])
Kind = TypeVar("Kind")


def open_store(
    app_class: type[App],
    settings: ServiceSettings,
    database: str,
    *,
    create_tables: bool | None = None,
) -> App:
    """The application on its store, its tables created unless `create_tables` (by default the
    settings' KINLINK_CREATE_TABLES) is false: then it only checks they exist, raising
    SchemaNotMigrated if not. Tools that only read (auditors') never create them.

    On PostgreSQL, processes starting together take turns to create the tables: concurrent
    CREATE TABLE IF NOT EXISTS can collide in the catalog."""
    if create_tables is None:
        create_tables = settings.create_tables
    env = store_env(settings, database)
    recorder = getattr(app_class, "recorders", {}).get(env["PERSISTENCE_MODULE"])
    if recorder is not None:
        env["PROCESS_RECORDER_TOPIC"] = get_topic(recorder)
    url = settings.database_url(database)
    if not create_tables:
        env["CREATE_TABLE"] = "false"
        app = app_class(env)
        try:
            _require_store_tables(app, url, env)
        except SchemaNotMigrated:
            app.close()
            raise
        return app
    if url is None:
        return app_class(env)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("SELECT pg_advisory_lock(hashtext('kinlink schema'))")
        try:
            return app_class(env)
        finally:
            conn.execute("SELECT pg_advisory_unlock(hashtext('kinlink schema'))")


def _require_store_tables(app: Application[UUID], url: str | None, env: dict[str, str]) -> None:
    """Raise SchemaNotMigrated unless the tables (and, on PostgreSQL, the functions) the store's
    recorder would create exist."""
    recorder: Any = app.recorder
    statements = getattr(recorder, "sql_create_statements", None)
    if statements is None:  # SQLite's recorders keep them as plain strings
        statements = recorder.create_table_statements
    texts = [s if isinstance(s, str) else s.as_string() for s in statements]
    names = created_tables(texts)
    if url is None:
        with contextlib.closing(sqlite3.connect(env["SQLITE_DBNAME"])) as db:
            require_sqlite_tables(db, env["SQLITE_DBNAME"], names)
        return
    with psycopg.connect(url) as conn:
        require_postgres_schema(conn, names, created_functions(texts))


class TrackedApplication(Application[UUID]):
    """An event-sourced application whose recorder also keeps tracking records.

    A consumer saves the position of the upstream message in the same transaction as the events
    it caused, so redelivery is harmless; the outbox relay keeps its position in the same table.
    Listeners hear of every save in this process (the relay uses that to publish without delay).
    """

    # The process recorder per persistence module (`eventsourcing.postgres`, ...): on PostgreSQL
    # one that records a save in one round trip (decision 0097). A store that records more than
    # that (the ledger's hash chain) names its own.
    recorders: ClassVar[dict[str, type[ProcessRecorder]]] = {
        "eventsourcing.postgres": OneTripPostgresProcessRecorder
    }

    def __init__(self, env: dict[str, str] | None = None) -> None:
        super().__init__(env)
        self._save_listeners: list[Callable[[], None]] = []
        self._committer = GroupCommitter(self._record_events)

    def find(self, aggregate_id: UUID, kind: type[Kind], *, to_change: bool = True) -> Kind | None:
        """The aggregate with this id if there is one and it is a `kind`, else None.

        With an aggregate cache, a caller that will not change the aggregate (`to_change=False`)
        gets the cached object itself instead of a copy: it must not call its commands."""
        found = ahead(aggregate_id)
        if found is NOT_AHEAD:
            try:
                found = self.repository.get(aggregate_id, deepcopy_from_cache=to_change)
            except AggregateNotFoundError:
                return None
        elif to_change and self.repository.deepcopy_from_cache:
            found = deepcopy(found)
        return found if isinstance(found, kind) else None

    def reading_ahead(self, *ids: UUID) -> contextlib.AbstractContextManager[None]:
        """The aggregates `ids` read in one trip for the finds in the block (see read_ahead)."""
        return reading_ahead(self, ids)

    def require(self, aggregate_id: UUID, kind: type[Kind], *, code: str, field: str) -> Kind:
        """The aggregate, or NotFound with the stable `code`, naming the request `field`."""
        found = self.find(aggregate_id, kind)
        if found is None:
            raise NotFound(code, f"No such {field.removesuffix('_id')}.", field=field)
        return found

    def save(self, *objs: Any, **kwargs: Any) -> None:  # type: ignore[override]
        """Save the aggregates' new events in one transaction, grouped with concurrent saves.

        Raises the store's IntegrityError when an aggregate changed since it was read."""
        forget(obj.id for obj in objs if hasattr(obj, "collect_events"))
        events = [
            event
            for obj in objs
            if obj is not None
            for event in (obj.collect_events() if hasattr(obj, "collect_events") else [obj])
        ]
        self._committer.commit(events)

    def close(self) -> None:
        self._committer.close()
        super().close()

    @property
    def tracking(self) -> ProcessRecorder:
        assert isinstance(self.recorder, ProcessRecorder)
        return self.recorder

    def construct_recorder(self) -> ProcessRecorder:
        return self.factory.process_recorder()

    def save_tracked(
        self, tracking: Tracking, *aggregates: MutableOrImmutableAggregate[UUID]
    ) -> list[Recording[UUID]]:
        """Save the aggregates' new events and the upstream position in one transaction; raises
        the store's IntegrityError if that position was already recorded."""
        forget(aggregate.id for aggregate in aggregates)
        processing = ProcessingEvent[UUID](tracking=tracking)
        processing.collect_events(*aggregates)
        recordings = self._record(processing)
        self._notify(recordings)
        return recordings

    def _record_events(self, events: Sequence[Any]) -> None:
        """What Application.save does for this application (no snapshots), for events already
        collected: it would check each against the library's runtime protocols again, which
        costs more than the rest of the save's Python work."""
        processing = ProcessingEvent[UUID]()
        processing.events.extend(events)
        self._notify(self._record(processing))

    def has_processed(self, tracking: Tracking) -> bool:
        return self.tracking.has_tracking_id(tracking.application_name, tracking.notification_id)

    def on_save(self, loop: asyncio.AbstractEventLoop, event: asyncio.Event) -> None:
        """Set `event` on `loop` after every save, from whatever thread saved."""

        def wake() -> None:
            # A follower whose loop has ended must not make the save itself fail.
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(event.set)

        self._save_listeners.append(wake)

    def _notify(self, recordings: list[Recording[UUID]]) -> None:
        super()._notify(recordings)
        if recordings:
            for listener in self._save_listeners:
                listener()

"""Read models: tables derived from a service's events, on PostgreSQL or SQLite.

A projection changes its tables and records the position it reached in one transaction, so a
view is always exactly the events up to that position. Views can be dropped and rebuilt from the
log at any time. SQL is written once with `:name` parameters and portable types.
"""

from __future__ import annotations

import functools
import re
import sqlite3
import threading
from abc import ABC
from abc import abstractmethod
from collections.abc import Iterator
from collections.abc import Mapping
from collections.abc import Sequence
from contextlib import contextmanager
from datetime import UTC
from datetime import datetime
from pathlib import Path
from typing import Any
from typing import Protocol

from psycopg.rows import dict_row
from psycopg_pool import ConnectionPool

from kinlink_kit.schema import created_tables
from kinlink_kit.schema import require_postgres_schema
from kinlink_kit.schema import require_sqlite_tables
from kinlink_kit.settings import ServiceSettings

Row = dict[str, Any]


def instant(at: datetime) -> str:
    """A UTC instant as a view stores it: text that sorts as time does (always with
    microseconds), on both stores."""
    return at.astimezone(UTC).isoformat(timespec="microseconds")


_POSITIONS = """
CREATE TABLE IF NOT EXISTS view_positions (name TEXT PRIMARY KEY, position BIGINT NOT NULL)
"""
_SET_POSITION = """
INSERT INTO view_positions (name, position) VALUES (:name, :position)
ON CONFLICT (name) DO UPDATE SET position = excluded.position
WHERE view_positions.position < excluded.position
"""


class ViewCursor(Protocol):
    def execute(self, sql: str, params: Mapping[str, Any], /) -> object: ...


class ViewStore(ABC):
    # False: `create` only checks that the tables are there (see kinlink_kit.schema).
    create_tables: bool = True

    def create(self, ddl: str) -> None:
        """Run `CREATE ... IF NOT EXISTS` statements, separated by semicolons; when this store
        may not create tables, raise SchemaNotMigrated if one of theirs is missing."""
        statements = [s for s in ddl.split(";") if s.strip()]
        if self.create_tables:
            self._execute_ddl(statements)
        else:
            self._require_tables(created_tables(statements))

    @abstractmethod
    def _execute_ddl(self, statements: Sequence[str]) -> None: ...

    @abstractmethod
    def _require_tables(self, names: Sequence[str]) -> None: ...

    @abstractmethod
    @contextmanager
    def transaction(self) -> Iterator[ViewCursor]: ...

    @abstractmethod
    def query(self, sql: str, params: Mapping[str, Any] | None = None) -> list[Row]: ...

    @abstractmethod
    def snapshot(self, queries: Sequence[str]) -> list[list[Row]]:
        """The answers to `queries`, all read at one moment (while projections keep writing)."""

    @abstractmethod
    def close(self) -> None: ...

    def position(self, name: str) -> int:
        rows = self.query("SELECT position FROM view_positions WHERE name = :name", {"name": name})
        return int(rows[0]["position"]) if rows else 0

    def record_position(self, cursor: ViewCursor, name: str, position: int) -> None:
        cursor.execute(_SET_POSITION, {"name": name, "position": position})


class PostgresViews(ViewStore):
    def __init__(self, url: str, pool_size: int, *, create_tables: bool = True) -> None:
        self.create_tables = create_tables
        self.pool = ConnectionPool(
            url, min_size=1, max_size=pool_size, kwargs={"row_factory": dict_row}, open=True
        )
        self.create(_POSITIONS)

    @staticmethod
    @functools.lru_cache(maxsize=1024)
    def _sql(sql: str) -> str:
        """The statement with psycopg's `%(name)s` for each `:name`. The views' statements are
        a fixed set, rewritten once each: the expression cost ~4% of the replica keeping them."""
        return re.sub(r"(?<![:\w]):(\w+)", r"%(\1)s", sql)

    def _execute_ddl(self, statements: Sequence[str]) -> None:
        # Concurrent CREATE ... IF NOT EXISTS can still collide in PostgreSQL's catalog:
        # processes starting together take turns.
        with self.pool.connection() as conn, conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(hashtext('kinlink views'))")
            for statement in statements:
                conn.execute(statement)

    def _require_tables(self, names: Sequence[str]) -> None:
        with self.pool.connection() as conn:
            require_postgres_schema(conn, names)

    @contextmanager
    def transaction(self) -> Iterator[ViewCursor]:
        # Pipelined: a projection's statements go out without waiting for each answer.
        with (
            self.pool.connection() as conn,
            conn.pipeline(),
            conn.transaction(),
            conn.cursor() as cursor,
        ):
            yield _Translating(cursor, self._sql)

    def query(self, sql: str, params: Mapping[str, Any] | None = None) -> list[Row]:
        with self.pool.connection() as conn:
            rows: list[Row] = conn.execute(self._sql(sql), params or {}).fetchall()  # type: ignore[assignment]
            return rows

    def snapshot(self, queries: Sequence[str]) -> list[list[Row]]:
        with self.pool.connection() as conn, conn.transaction():
            conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
            return [conn.execute(self._sql(q)).fetchall() for q in queries]  # type: ignore[misc]

    def close(self) -> None:
        self.pool.close()


class SqliteViews(ViewStore):
    """Views in a SQLite file. A scratch copy (`durable=False`, e.g. an auditor's replay) skips
    the journal and the syncs: it is rebuilt from the log if lost."""

    def __init__(
        self, path: Path | str, *, durable: bool = True, create_tables: bool = True
    ) -> None:
        self.path = str(path)
        self.create_tables = create_tables
        self._conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._conn.row_factory = sqlite3.Row
        if durable:
            self._conn.execute("PRAGMA journal_mode=WAL")
        else:
            self._conn.execute("PRAGMA journal_mode=OFF")
            self._conn.execute("PRAGMA synchronous=OFF")
        self._lock = threading.Lock()
        self.create(_POSITIONS)

    def _execute_ddl(self, statements: Sequence[str]) -> None:
        with self._lock:
            self._conn.executescript(";".join(statements))

    def _require_tables(self, names: Sequence[str]) -> None:
        with self._lock:
            require_sqlite_tables(self._conn, self.path, names)

    @contextmanager
    def transaction(self) -> Iterator[ViewCursor]:
        with self._lock:
            self._conn.execute("BEGIN")
            try:
                yield self._conn
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    def query(self, sql: str, params: Mapping[str, Any] | None = None) -> list[Row]:
        with self._lock:
            return [dict(row) for row in self._conn.execute(sql, params or {}).fetchall()]

    def snapshot(self, queries: Sequence[str]) -> list[list[Row]]:
        with self._lock:
            self._conn.execute("BEGIN")
            try:
                return [[dict(row) for row in self._conn.execute(q).fetchall()] for q in queries]
            finally:
                self._conn.execute("COMMIT")

    def close(self) -> None:
        self._conn.close()


class _Translating:
    def __init__(self, cursor: Any, translate: Any) -> None:
        self._cursor = cursor
        self._translate = translate

    def execute(self, sql: str, params: Mapping[str, Any], /) -> object:
        return self._cursor.execute(self._translate(sql), params)


def view_store(settings: ServiceSettings, database: str) -> ViewStore:
    """Beside the event store: the same PostgreSQL database, or a SQLite file of its own."""
    url = settings.database_url(database)
    if url is None:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        return SqliteViews(
            settings.data_dir / f"{database}_views.sqlite", create_tables=settings.create_tables
        )
    return PostgresViews(url, settings.postgres_pool_size, create_tables=settings.create_tables)

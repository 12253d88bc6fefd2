"""Who creates a service's tables (decision 0085): the service itself as it starts (the default,
and the embedded mode), or its `migrate` command, run once before the replicas of a release start
(KINLINK_CREATE_TABLES=false). Replicas that may not create tables check that they are there, so
a database nobody migrated stops them at start with the command to run, not at the first request.

Every table is made by `CREATE TABLE IF NOT EXISTS`: a migration run twice changes nothing.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterable
from collections.abc import Sequence
from typing import Any

import psycopg
from psycopg.rows import tuple_row

# A table's name as the statements write it: plain, quoted, or qualified by its schema.
_CREATED_TABLE = re.compile(
    r"CREATE\s+TABLE\s+IF\s+NOT\s+EXISTS\s+((?:\"?\w+\"?\.)?\"?\w+\"?)", re.IGNORECASE
)

# A function's name, the same way (the event stores' recording functions, decision 0097).
_CREATED_FUNCTION = re.compile(
    r"CREATE\s+OR\s+REPLACE\s+FUNCTION\s+((?:\"?\w+\"?\.)?\"?\w+\"?)\s*\(", re.IGNORECASE
)


class SchemaNotMigrated(RuntimeError):
    """The database lacks tables (or functions) the service needs and the service may not create
    them."""

    def __init__(self, database: str, missing: Sequence[str]) -> None:
        self.database = database
        self.missing = [name.replace('"', "") for name in missing]  # public.ledger_events
        super().__init__(
            f"the database {database} has no {', '.join(self.missing)}: it has not been "
            "migrated. Run the service's `migrate` command (its migration Job) first, or let "
            "the service create its tables (KINLINK_CREATE_TABLES=true)."
        )


def created_tables(statements: Iterable[str]) -> list[str]:
    """The tables `statements` create, in order."""
    return [name for statement in statements for name in _CREATED_TABLE.findall(statement)]


def created_functions(statements: Iterable[str]) -> list[str]:
    """The functions `statements` create, in order."""
    return [name for statement in statements for name in _CREATED_FUNCTION.findall(statement)]


def require_postgres_schema(
    connection: psycopg.Connection[Any], names: Sequence[str], functions: Sequence[str] = ()
) -> None:
    """Raise SchemaNotMigrated unless every table in `names` and every function in `functions`
    exists in the connected database."""
    with connection.cursor(row_factory=tuple_row) as cursor:
        missing = [
            name
            for name in names
            if cursor.execute("SELECT to_regclass(%s)", (name,)).fetchone() == (None,)
        ] + [
            name
            for name in functions
            if cursor.execute("SELECT to_regproc(%s)", (name,)).fetchone() == (None,)
        ]
    if missing:
        raise SchemaNotMigrated(connection.info.dbname, missing)


def require_sqlite_tables(
    connection: sqlite3.Connection, database: str, names: Sequence[str]
) -> None:
    """Raise SchemaNotMigrated unless every table in `names` exists in the SQLite file."""
    missing = [
        name
        for name in names
        if connection.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?",
            (name.split(".")[-1].strip('"'),),
        ).fetchone()
        is None
    ]
    if missing:
        raise SchemaNotMigrated(database, missing)

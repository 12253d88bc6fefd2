"""`kinlink ledger replay`: rebuild every ledger projection from the stream into a fresh place,
and compare it with the live one.

Each live projection is compared at the position it has reached: the replay applies to it only
the events up to there, so a live view a little behind the stream is no difference.
"""

from __future__ import annotations

import re
import time
from collections import Counter
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path
from typing import Any

from kinlink_kit.progress import Progress
from kinlink_kit.views import Row
from kinlink_kit.views import SqliteViews
from kinlink_kit.views import ViewStore

from kinlink_ledger.adapters.hash_chain import ChainedEvent
from kinlink_ledger.adapters.ledger_views import LedgerViews
from kinlink_ledger.audit.sources import Batches
from kinlink_ledger.service_layer.ledger import LedgerStore

_TABLES = re.compile(r"CREATE TABLE IF NOT EXISTS (\w+)", re.IGNORECASE)
_VIEWED = LedgerViews.viewed_topics()
SHOWN = 5  # differing rows shown per table and side


@dataclass(frozen=True)
class TableDifference:
    projection: str
    table: str
    only_live: list[dict[str, Any]]
    only_replayed: list[dict[str, Any]]
    live_rows: int
    replayed_rows: int


@dataclass
class ReplayReport:
    events: int = 0
    last_position: int = 0
    positions: dict[str, int] = field(default_factory=dict)  # live projections' positions
    differences: list[TableDifference] = field(default_factory=list)
    tables: int = 0
    rebuild_seconds: float = 0.0  # reading the stream and applying it
    compare_seconds: float = 0.0  # reading both sides' tables and comparing them

    @property
    def stream_short(self) -> list[str]:
        """Projections the live side has taken further than the stream reached."""
        return [name for name, at in self.positions.items() if at > self.last_position]

    @property
    def ok(self) -> bool:
        return not self.differences and not self.stream_short


def viewed(topic: str) -> bool:
    """Whether some view is made of this stored event type: the replay passes over the others
    without their state (`kafka_batches`' `stated`)."""
    return topic in _VIEWED


def fresh_views(folder: Path) -> LedgerViews:
    """Every ledger projection over a new SQLite file; the store is used for its mapper only."""
    mapper_only = LedgerStore(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    return LedgerViews.open(
        mapper_only, SqliteViews(folder / "replayed_views.sqlite", durable=False)
    )


async def replay(
    batches: Batches, live: ViewStore, folder: Path, progress: Progress
) -> ReplayReport:
    """Rebuild, then compare with the live projections as they were when the replay began: their
    positions and rows are read at one moment first, so a service applying events meanwhile
    causes no difference."""
    report = ReplayReport()
    started = time.perf_counter()
    views = fresh_views(folder)
    made = time.perf_counter() - started
    started = time.perf_counter()
    try:
        tables = [
            (projection.name, table)
            for projection in views.projections
            for table in _TABLES.findall(projection.ddl)
        ]
        # Table names come from our own DDL.
        positions, *live_tables = live.snapshot(
            ["SELECT name, position FROM view_positions"]
            + [f"SELECT * FROM {table}" for _, table in tables]
        )
        known = {row["name"]: int(row["position"]) for row in positions}
        report.positions = {p.name: known.get(p.name, 0) for p in views.projections}
        report.compare_seconds = time.perf_counter() - started
        started = time.perf_counter()
        async for batch in batches:
            _apply(views, batch, report.positions)
            report.events += len(batch)
            report.last_position = max(report.last_position, batch[-1].position)
            progress.add(len(batch))
        progress.finish()
        report.rebuild_seconds = made + time.perf_counter() - started
        started = time.perf_counter()
        replayed_tables = views.store.snapshot([f"SELECT * FROM {table}" for _, table in tables])
        for (projection, table), live_rows, replayed_rows in zip(
            tables, live_tables, replayed_tables, strict=True
        ):
            report.tables += 1
            difference = compare(projection, table, live_rows, replayed_rows)
            if difference is not None:
                report.differences.append(difference)
        report.compare_seconds += time.perf_counter() - started
    finally:
        views.close()
    return report


def _apply(views: LedgerViews, batch: list[ChainedEvent], cutoffs: dict[str, int]) -> None:
    """The batch through the same group of projections the service runs, each stopped at the
    position its live twin reached. Events no view is made of are left out before anything is
    made of them: in a ledger's stream they are most."""
    notifications = [e.notification() for e in batch if e.topic in _VIEWED]
    if notifications:
        views.follower().apply_batch(notifications, cutoffs)


def compare(
    projection: str, table: str, live: list[Row], replayed: list[Row]
) -> TableDifference | None:
    columns, live_rows = _comparable(live)
    _, replayed_rows = _comparable(replayed)
    only_live = live_rows - replayed_rows
    only_replayed = replayed_rows - live_rows
    if not only_live and not only_replayed:
        return None
    return TableDifference(
        projection,
        table,
        [dict(zip(columns, row, strict=True)) for row in list(only_live.elements())[:SHOWN]],
        [dict(zip(columns, row, strict=True)) for row in list(only_replayed.elements())[:SHOWN]],
        live_rows.total(),
        replayed_rows.total(),
    )


def _comparable(rows: list[Row]) -> tuple[list[str], Counter[tuple[str, ...]]]:
    """The table's columns, and its rows as comparable values (PostgreSQL and SQLite return
    other types for the same column). Both stores made the table from the same DDL, so the
    columns come in the same order."""
    columns = list(rows[0]) if rows else []
    return columns, Counter(
        tuple("" if value is None else str(value) for value in row.values()) for row in rows
    )

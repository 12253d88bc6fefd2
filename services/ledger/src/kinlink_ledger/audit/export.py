"""`kinlink ledger export`: a period's journal as CSV, one line per account of each entry, read
from the stream itself (not from a projection)."""

from __future__ import annotations

import csv
from datetime import datetime
from typing import TextIO
from uuid import UUID

from eventsourcing.persistence import Mapper
from kinlink_kit.progress import Progress

from kinlink_ledger.audit.sources import Batches
from kinlink_ledger.audit.verify import decode

COLUMNS = (
    "position",
    "recorded_at",
    "event",
    "aggregate_id",
    "version",
    "account",
    "debit_cents",
    "credit_cents",
)


async def export(
    batches: Batches,
    mapper: Mapper[UUID],
    since: datetime,
    until: datetime,
    out: TextIO,
    progress: Progress,
) -> int:
    """Writes the lines of entries recorded in [since, until); returns how many lines."""
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    lines = 0
    async for batch in batches:
        for event in batch:
            if event.originator_id is None:
                continue
            domain_event = decode(mapper, event)
            entry = getattr(domain_event, "entry", None)
            recorded_at = domain_event.timestamp
            if entry is None or not since <= recorded_at < until:
                continue
            for account, amount in sorted(entry.items()):
                writer.writerow(
                    (
                        event.position,
                        recorded_at.isoformat(),
                        type(domain_event).__qualname__,
                        event.originator_id,
                        event.originator_version,
                        account,
                        max(amount, 0),
                        max(-amount, 0),
                    )
                )
                lines += 1
        progress.add(len(batch))
    progress.finish()
    return lines

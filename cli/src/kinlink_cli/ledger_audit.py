"""`kinlink ledger verify|replay|export`: what auditors run against the ledger's immutable stream.

They read the ledger's event store (KINLINK_POSTGRES_DSN, or the embedded mode's files under
KINLINK_DATA_DIR) or its audit topic on Kafka (KINLINK_KAFKA_BOOTSTRAP, KINLINK_AUDIT_TOPIC,
and where the cluster asks for a sign-in the KINLINK_KAFKA_* settings of Kafka user `auditor`).
They need a session with the auditor role (checked against KINLINK_JWT_PUBLIC_KEYS), and change
nothing: no table is created, nothing is saved, and Kafka is read without a consumer group
(give auditors a database role that can only SELECT as well).

Exit status: 0 when all is well, 1 when the stream or the projections disagree, 2 when the
command cannot run (no auditor session, no such store or topic).
"""

from __future__ import annotations

import asyncio
import json
import sys
import tempfile
from collections.abc import Callable
from datetime import UTC
from datetime import datetime
from datetime import time
from pathlib import Path
from typing import Any

import click
from kinlink_kit.auth import Role
from kinlink_kit.bus import kafka_client_options
from kinlink_kit.progress import Progress
from kinlink_kit.views import view_store
from kinlink_ledger.audit.export import export as export_journal
from kinlink_ledger.audit.replay import ReplayReport
from kinlink_ledger.audit.replay import replay as replay_projections
from kinlink_ledger.audit.sources import AuditError
from kinlink_ledger.audit.sources import Batches
from kinlink_ledger.audit.sources import kafka_batches
from kinlink_ledger.audit.sources import reading
from kinlink_ledger.audit.sources import store_batches
from kinlink_ledger.audit.verify import VerifyReport
from kinlink_ledger.audit.verify import verify as verify_stream
from kinlink_ledger.bootstrap import LedgerSettings
from kinlink_ledger.service_layer.ledger import LedgerStore

from kinlink_cli.connection import Connection
from kinlink_cli.connection import pass_connection
from kinlink_cli.staff_session import require_role
from kinlink_cli.staff_session import stop

SOURCE = click.option(
    "--source",
    type=click.Choice(["store", "kafka"]),
    default="store",
    show_default=True,
    help="Read the ledger's event store, or its audit topic on Kafka from the first offset.",
)


def _run(
    connection: Connection, source: str, work: Callable[[Batches, LedgerStore, LedgerSettings], Any]
) -> Any:
    """Check the caller, open the source read-only and run `work` over its batches."""
    settings = LedgerSettings(outbox_relay=False)
    require_role(
        connection,
        settings,
        Role.AUDITOR,
        "the ledger's stream is for auditors: this account has no auditor role",
    )
    try:
        store = reading(settings)
        try:
            if source == "kafka":
                if settings.kafka_bootstrap is None:
                    stop("KINLINK_KAFKA_BOOTSTRAP is not set")
                batches = kafka_batches(
                    settings.kafka_bootstrap, settings.audit_topic, kafka_client_options(settings)
                )
            else:
                batches = store_batches(store)
            return asyncio.run(work(batches, store, settings))
        finally:
            store.close()
    except AuditError as error:
        stop(str(error))


@click.group()
def ledger() -> None:
    """Auditors: verify, replay and export the ledger's stream (auditor role; changes nothing)."""


@ledger.command()
@SOURCE
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@pass_connection
def verify(connection: Connection, source: str, as_json: bool) -> None:
    """Check the hash chain and that every journal entry balances; name any event breaking
    either."""

    async def work(batches: Batches, store: LedgerStore, _: LedgerSettings) -> VerifyReport:
        return await verify_stream(batches, store.mapper, Progress("events checked"))

    report: VerifyReport = _run(connection, source, work)
    if as_json:
        click.echo(
            json.dumps(
                {
                    "ok": report.ok,
                    "events": report.events,
                    "entries": report.entries,
                    "debit_cents": report.debits,
                    "credit_cents": report.credits,
                    "chain_head": report.last_hash,
                    "findings": [
                        {
                            "position": f.position,
                            "aggregate_id": str(f.originator_id or ""),
                            "version": f.originator_version,
                            "event": f.topic,
                            "problem": f.problem,
                        }
                        for f in report.findings
                    ],
                },
                indent=2,
            )
        )
    else:
        click.echo(
            f"{report.events:,} events, {report.entries:,} journal entries: debits "
            f"{report.debits:,} cents, credits {report.credits:,} cents; chain head "
            f"{report.last_hash or '(empty)'}"
        )
        for finding in report.findings:
            click.echo(f"BROKEN {finding.describe()}")
        click.echo("verified: the chain holds and the journal balances" if report.ok else "FAILED")
    sys.exit(0 if report.ok else 1)


@ledger.command()
@SOURCE
@pass_connection
def replay(connection: Connection, source: str) -> None:
    """Rebuild every ledger projection from the stream in a fresh place and report any
    difference from the live ones."""

    async def work(batches: Batches, _: LedgerStore, settings: LedgerSettings) -> ReplayReport:
        live = view_store(settings, settings.database)
        try:
            with tempfile.TemporaryDirectory(prefix="kinlink-replay-") as folder:
                return await replay_projections(
                    batches, live, Path(folder), Progress("events replayed")
                )
        finally:
            live.close()

    report: ReplayReport = _run(connection, source, work)
    click.echo(
        f"replayed {report.events:,} events (to position {report.last_position}) into "
        f"{report.tables} tables"
    )
    for name in report.stream_short:
        click.echo(
            f"SHORT the live {name} projection is at position {report.positions[name]}, "
            f"beyond the stream's end ({report.last_position})"
        )
    for difference in report.differences:
        click.echo(
            f"DIFFERENT {difference.projection}.{difference.table}: {difference.live_rows} live "
            f"rows, {difference.replayed_rows} replayed"
        )
        for row in difference.only_live:
            click.echo(f"  only live:     {row}")
        for row in difference.only_replayed:
            click.echo(f"  only replayed: {row}")
    click.echo("replay equals live" if report.ok else "FAILED")
    sys.exit(0 if report.ok else 1)


@ledger.command()
@SOURCE
@click.option(
    "--from", "since", type=click.DateTime(["%Y-%m-%d"]), required=True, help="First day (UTC)."
)
@click.option(
    "--to",
    "until",
    type=click.DateTime(["%Y-%m-%d"]),
    required=True,
    help="Day after the last (UTC).",
)
@click.option(
    "--output", type=click.Path(dir_okay=False, writable=True), help="CSV file (default: stdout)."
)
@pass_connection
def export(
    connection: Connection, source: str, since: datetime, until: datetime, output: str | None
) -> None:
    """Write the journal of a period as CSV: a line per account of each entry."""
    start, end = (datetime.combine(day.date(), time(), UTC) for day in (since, until))
    if end <= start:
        stop("--to must be after --from")

    async def work(batches: Batches, store: LedgerStore, _: LedgerSettings) -> int:
        progress = Progress("events read")
        if output is None:
            return await export_journal(batches, store.mapper, start, end, sys.stdout, progress)
        with open(output, "w", newline="") as out:
            return await export_journal(batches, store.mapper, start, end, out, progress)

    lines: int = _run(connection, source, work)
    click.echo(f"{lines:,} journal lines from {start.date()} to {end.date()}", err=True)

"""`kinlink ledger verify|replay|export` on a ledger's store (the embedded mode's files, and the
real PostgreSQL): auditors only, and nothing changes."""

from __future__ import annotations

import csv
import io
import random
from datetime import date
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from click.testing import Result
from kinlink_cli.main import cli
from kinlink_kit.auth import Role
from kinlink_ledger.bootstrap import LedgerSettings
from kinlink_ledger.service_layer.ledger import Ledger

from tests.conftest import TokenKeys
from tests.ledger_workload import Workload


@pytest.fixture
def audited(
    ledger: Ledger, ledger_settings: LedgerSettings, token_keys: TokenKeys
) -> dict[str, str | None]:
    """A busy ledger, and the environment an auditor's CLI reads it with (None unsets)."""
    Workload(random.Random(42)).run(ledger, 150)
    for projection in ledger.views.projections:
        projection.catch_up()
    return {
        **token_keys.env(),
        "KINLINK_TOKEN": token_keys.token("auditor-1", Role.AUDITOR),
        "KINLINK_DATABASE": ledger_settings.database,
        "KINLINK_DATA_DIR": str(ledger_settings.data_dir),
        "XDG_CONFIG_HOME": str(ledger_settings.data_dir / "config"),
        "KINLINK_POSTGRES_DSN": ledger_settings.postgres_dsn,
    }


def kinlink(env: dict[str, str | None], *args: str) -> Result:
    return CliRunner(env=env).invoke(cli, ["ledger", *args])


def recorded_days(ledger: Ledger) -> tuple[date, date]:
    """The first and last day (UTC) the ledger recorded events on. Events carry the moment they
    were recorded, not the ledger's clock: the periods exported are chosen from them, so that no
    test depends on the day it runs."""
    recorder = ledger.store.recorder
    notifications = recorder.select_notifications(None, recorder.max_notification_id() or 1)
    stamps = [ledger.store.mapper.to_domain_event(n).timestamp for n in notifications]
    return min(stamps).date(), max(stamps).date()


def store_state(ledger: Ledger) -> tuple[object, ...]:
    recorder = ledger.store.recorder
    return (
        recorder.max_notification_id(),
        [ledger.views.store.position(p.name) for p in ledger.views.projections],
        ledger.views.journal.balances(),
    )


def test_verify_replay_and_export_pass_and_change_nothing(
    ledger: Ledger, audited: dict[str, str | None]
) -> None:
    before = store_state(ledger)
    verified = kinlink(audited, "verify")
    assert verified.exit_code == 0, verified.output
    assert "verified: the chain holds and the journal balances" in verified.output
    replayed = kinlink(audited, "replay")
    assert replayed.exit_code == 0, replayed.output
    assert "replay equals live" in replayed.output
    first, last = recorded_days(ledger)
    exported = kinlink(
        audited, "export", "--from", str(first), "--to", str(last + timedelta(days=1))
    )
    assert exported.exit_code == 0, exported.output
    rows = list(csv.DictReader(io.StringIO(exported.stdout)))
    assert rows
    assert sum(int(r["debit_cents"]) for r in rows) == sum(int(r["credit_cents"]) for r in rows)
    assert {r["account"] for r in rows} >= {"card_clearing"}
    assert store_state(ledger) == before


def test_a_period_without_entries_exports_only_the_header(
    ledger: Ledger, audited: dict[str, str | None]
) -> None:
    first, _ = recorded_days(ledger)
    exported = kinlink(
        audited, "export", "--from", str(first - timedelta(days=30)), "--to", str(first)
    )
    assert exported.exit_code == 0, exported.output
    assert exported.stdout.splitlines() == [
        "position,recorded_at,event,aggregate_id,version,account,debit_cents,credit_cents"
    ]


@pytest.mark.parametrize(
    "command", [["verify"], ["replay"], ["export", "--from", "2026-11-01", "--to", "2026-12-01"]]
)
def test_only_auditors_may_read_the_stream(
    audited: dict[str, str | None], token_keys: TokenKeys, command: list[str]
) -> None:
    operator = {**audited, "KINLINK_TOKEN": token_keys.token("op-1", Role.OPERATOR)}
    refused = kinlink(operator, *command)
    assert refused.exit_code == 2
    assert "no auditor role" in refused.output
    anonymous = {k: v for k, v in audited.items() if k != "KINLINK_TOKEN"}
    assert kinlink(anonymous, *command).exit_code == 2


def test_a_forged_token_is_refused(audited: dict[str, str | None]) -> None:
    forged = {**audited, "KINLINK_TOKEN": str(audited["KINLINK_TOKEN"])[:-4] + "AAAA"}
    refused = kinlink(forged, "verify")
    assert refused.exit_code == 2
    assert "invalid_token" in refused.output


def test_a_missing_store_is_a_clear_error(tmp_path: Path, token_keys: TokenKeys) -> None:
    missing: dict[str, str | None] = {
        **token_keys.env(),
        "KINLINK_TOKEN": token_keys.token("auditor-1", Role.AUDITOR),
        "KINLINK_DATA_DIR": str(tmp_path / "nowhere"),
    }
    refused = kinlink(missing, "verify")
    assert refused.exit_code == 2
    assert "no ledger store" in refused.output

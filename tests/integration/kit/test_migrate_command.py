"""`kinlink-ledger migrate` and KINLINK_CREATE_TABLES=false as an operator meets them: the console
script's exit status and log lines, then the service starting on the migrated database."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from kinlink_kit.testing import STORAGES
from kinlink_kit.testing import Infra
from kinlink_kit.testing import eventually
from kinlink_kit.testing import free_port

from tests.concurrency.processes import is_serving
from tests.conftest import ROOT
from tests.conftest import TokenKeys

LEDGER = str(Path(sys.executable).parent / "kinlink-ledger")


@pytest.fixture(params=STORAGES)
def ledger_env(
    request: pytest.FixtureRequest, token_keys: TokenKeys, tmp_path: Path
) -> dict[str, str]:
    """A ledger process's environment, its tables not created at start, on an empty SQLite
    folder or a fresh PostgreSQL database; no Kafka (the SQLite bus in its folder)."""
    env = {
        **os.environ,
        **token_keys.env(),
        "KINLINK_CREATE_TABLES": "false",
        "KINLINK_DATA_DIR": str(tmp_path),
    }
    env.pop("KINLINK_KAFKA_BOOTSTRAP", None)
    env.pop("KINLINK_POSTGRES_DSN", None)
    if request.param == "postgres":
        infra: Infra = request.getfixturevalue("infra")
        env["KINLINK_POSTGRES_DSN"] = infra.postgres_dsn
        env["KINLINK_DATABASE"] = request.getfixturevalue("fresh_database")
    return env


def run(env: dict[str, str], *args: str) -> tuple[int, list[dict[str, Any]]]:
    """The ledger's console script run to its end: its exit status and JSON log lines."""
    done = subprocess.run(
        [LEDGER, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    lines = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    return done.returncode, lines


def messages(lines: list[dict[str, Any]]) -> list[str]:
    return [line["message"] for line in lines]


async def test_a_ledger_not_allowed_to_create_tables_starts_only_once_migrated(
    ledger_env: dict[str, str], tmp_path: Path
) -> None:
    status, lines = run(ledger_env)
    assert status == 1, lines
    refusal = next(line for line in lines if line["level"] == "error")
    assert refusal["message"] == "not migrated: run `kinlink-ledger migrate` first", lines
    assert any(
        "ledger_events" in table or "stored_events" in table for table in refusal["missing_tables"]
    )

    # A migration Job needs the database settings only: no token keys, no other secret.
    database_only = {k: v for k, v in ledger_env.items() if k != "KINLINK_JWT_PUBLIC_KEYS"}
    for _ in range(2):  # the second finds everything there and changes nothing
        status, lines = run(database_only, "migrate")
        assert (status, messages(lines)[-1:]) == (0, ["migrated"]), lines

    port = free_port()
    log = (tmp_path / "ledger.log").open("w")
    ledger = subprocess.Popen(
        [LEDGER],
        cwd=ROOT,
        env={**ledger_env, "KINLINK_GRPC_PORT": str(port)},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        await eventually(lambda: is_serving(f"127.0.0.1:{port}"))
    finally:
        ledger.send_signal(signal.SIGTERM)
        status = ledger.wait(timeout=60)
        print((tmp_path / "ledger.log").read_text()[-5000:])  # pytest shows it if the test failed
    assert status == 0


def test_an_unknown_command_is_refused() -> None:
    done = subprocess.run([LEDGER, "migrat"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert "invalid choice: 'migrat'" in done.stderr

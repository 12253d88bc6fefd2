"""Service processes for the concurrency tests: real processes on one PostgreSQL database."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from kinlink_kit.testing import Infra

from tests.concurrency.processes import service_env
from tests.concurrency.processes import service_processes
from tests.conftest import TokenKeys


@pytest.fixture
def two_ledgers(
    infra: Infra, fresh_database: str, token_keys: TokenKeys, tmp_path: Path
) -> Iterator[list[str]]:
    """Two `kinlink-ledger` processes on one database; both take part in the relay election."""
    env = service_env(infra, fresh_database, token_keys)
    with service_processes("kinlink_ledger.entrypoints.main", 2, env, tmp_path) as addresses:
        yield addresses

"""The pytest fixtures every service's tests use; name this module in the tests' root conftest:
`pytest_plugins = ["kinlink_kit.testing.fixtures"]`."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC
from datetime import datetime

import psycopg
import pytest

from kinlink_kit.testing.clock import Clock
from kinlink_kit.testing.infra import Infra
from kinlink_kit.testing.infra import read_infra


@pytest.fixture(scope="session")
def infra(pytestconfig: pytest.Config) -> Infra:
    return read_infra(pytestconfig.rootpath / ".infra.env")


@pytest.fixture
def fresh_database(infra: Infra) -> Iterator[str]:
    """A new, empty PostgreSQL database for one test, dropped afterwards."""
    with new_database(infra) as name:
        yield name


@contextmanager
def new_database(infra: Infra) -> Iterator[str]:
    """A new, empty PostgreSQL database, dropped on leaving: for a test whose services each
    need their own."""
    name = f"kinlink_test_{uuid.uuid4().hex[:12]}"
    admin = infra.postgres_url("postgres")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield name
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def clock() -> Clock:
    # A Wednesday, mid-week at every demo facility.
    return Clock(datetime(2026, 11, 25, 18, 0, tzinfo=UTC))

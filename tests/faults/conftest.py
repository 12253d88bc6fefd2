"""Private Kafka and PostgreSQL servers for the fault tests: these stop and start servers, which
the shared ones (other tests run on them) must never be. Each test gets its own, on free ports,
with its data under .cache/infra/private, deleted afterwards."""

from __future__ import annotations

from collections.abc import Iterator

import psycopg
import pytest
from kinlink_kit.testing import free_port

from tests.infra_script import infra_script
from tests.infra_script import private_home
from tests.infra_script import running


@pytest.fixture
def private_kafka() -> Iterator[object]:
    """A one-node broker of the test's own, topics auto-created never."""
    with running(
        infra_script.PrivateKafka(private_home("kafka"), free_port(), free_port())
    ) as kafka:
        yield kafka


@pytest.fixture
def private_postgres() -> Iterator[object]:
    """A PostgreSQL cluster of the test's own, with a database `kinlink_faults`."""
    with running(infra_script.PrivatePostgres(private_home("pg"), free_port())) as postgres:
        with psycopg.connect(postgres.dsn.format(database="postgres"), autocommit=True) as conn:
            conn.execute("CREATE DATABASE kinlink_faults")
        yield postgres

"""Private Kafka and PostgreSQL servers for the fault tests: these stop and start servers, which
the shared ones (other tests run on them) must never be. Each test gets its own, on free ports,
with its data under .cache/infra/private, deleted afterwards."""

from __future__ import annotations

import importlib.util
import shutil
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import psycopg
import pytest
from kinlink_kit.testing import free_port

from tests.conftest import ROOT


def _load_infra() -> ModuleType:
    spec = importlib.util.spec_from_file_location("kinlink_infra", ROOT / "deploy/local/infra.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses and classes look themselves up there
    spec.loader.exec_module(module)
    return module


infra_script = _load_infra()


def private_home(kind: str) -> Path:
    return Path(infra_script.STATE) / "private" / f"{kind}-{uuid.uuid4().hex[:8]}"


@pytest.fixture
def private_kafka() -> Iterator[object]:
    """A one-node broker of the test's own, topics auto-created never."""
    kafka = infra_script.PrivateKafka(private_home("kafka"), free_port(), free_port())
    kafka.start()
    try:
        yield kafka
    finally:
        kafka.stop()
        shutil.rmtree(kafka.home, ignore_errors=True)


@pytest.fixture
def private_postgres() -> Iterator[object]:
    """A PostgreSQL cluster of the test's own, with a database `kinlink_faults`."""
    postgres = infra_script.PrivatePostgres(private_home("pg"), free_port())
    postgres.start()
    try:
        with psycopg.connect(postgres.dsn.format(database="postgres"), autocommit=True) as conn:
            conn.execute("CREATE DATABASE kinlink_faults")
        yield postgres
    finally:
        postgres.stop()
        shutil.rmtree(postgres.home, ignore_errors=True)

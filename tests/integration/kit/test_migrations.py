"""Each service's `migrate` command and KINLINK_CREATE_TABLES (decision 0085): migrating creates
every table the service uses, twice changes nothing, and a service that may not create its tables
refuses to start on a database nobody migrated; on SQLite and on the real PostgreSQL."""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
import pytest
from kinlink_commissary.bootstrap import CommissarySettings
from kinlink_commissary.bootstrap import build_commissary
from kinlink_commissary.bootstrap import close_commissary
from kinlink_commissary.bootstrap import create_commissary_tables
from kinlink_identity.bootstrap import IdentitySettings
from kinlink_identity.bootstrap import build_identity
from kinlink_identity.bootstrap import create_identity_tables
from kinlink_kit.runtime import migrate
from kinlink_kit.schema import SchemaNotMigrated
from kinlink_kit.settings import ServiceSettings
from kinlink_kit.testing import STORAGES
from kinlink_kit.testing import Infra
from kinlink_kit.testing import settings_on
from kinlink_kit.testing.fixtures import new_database
from kinlink_ledger.bootstrap import LedgerSettings
from kinlink_ledger.bootstrap import build_ledger
from kinlink_ledger.bootstrap import create_ledger_tables
from kinlink_messaging.bootstrap import MessagingSettings
from kinlink_messaging.bootstrap import build_messaging
from kinlink_messaging.bootstrap import close_messaging
from kinlink_messaging.bootstrap import create_messaging_tables
from kinlink_sms.bootstrap import SmsSettings
from kinlink_sms.bootstrap import build_sms_gateway
from kinlink_sms.bootstrap import close_sms_gateway
from kinlink_sms.bootstrap import create_sms_gateway_tables
from kinlink_visitation.bootstrap import VisitationSettings
from kinlink_visitation.bootstrap import build_visitation
from kinlink_visitation.bootstrap import close_visitation
from kinlink_visitation.bootstrap import create_visitation_tables

from tests.conftest import TokenKeys

# Service accounts' and identity's secrets: building a service needs them, migrating does not.
SIGNING_IN = {"service_account_email": "svc@kinlink.internal", "service_account_password": "pw"}
PERSONAL_DATA_KEY = "q1wJ3WvS5ZQwRkGm1rE0aVh0hSZ8CB0l3XbJb3tIYk0="


@dataclass(frozen=True)
class Service:
    """How a test builds one service as its process does at start-up, and migrates it."""

    settings: type[ServiceSettings]
    build: Callable[[Any], Any]
    close: Callable[[Any], None]
    create_tables: Callable[[Any], None]
    secrets: Callable[[TokenKeys], dict[str, str]]


def _close(built: Any) -> None:
    built.close()


SERVICES = {
    "identity": Service(
        IdentitySettings,
        build_identity,
        _close,
        create_identity_tables,
        lambda keys: {
            "jwt_private_key": keys.private_pem,
            "jwt_key_id": keys.key_id,
            "personal_data_key": PERSONAL_DATA_KEY,
        },
    ),
    "ledger": Service(LedgerSettings, build_ledger, _close, create_ledger_tables, lambda _: {}),
    "messaging": Service(
        MessagingSettings,
        build_messaging,
        close_messaging,
        create_messaging_tables,
        lambda _: SIGNING_IN,
    ),
    "sms-gateway": Service(
        SmsSettings,
        build_sms_gateway,
        close_sms_gateway,
        create_sms_gateway_tables,
        lambda _: SIGNING_IN,
    ),
    "commissary": Service(
        CommissarySettings,
        build_commissary,
        close_commissary,
        create_commissary_tables,
        lambda _: SIGNING_IN,
    ),
    "visitation": Service(
        VisitationSettings,
        build_visitation,
        close_visitation,
        create_visitation_tables,
        lambda _: SIGNING_IN,
    ),
}


@pytest.fixture(params=STORAGES)
def on_storage(request: pytest.FixtureRequest) -> Callable[..., Any]:
    """Settings of a kind on SQLite (the test's folder) or a fresh PostgreSQL database."""
    return lambda kind, **fields: settings_on(request, kind, kafka_bootstrap=None, **fields)


def tables(settings: Any) -> list[str]:
    """Every table of the service's database(s), sorted."""
    url = settings.database_url(settings.database)
    if url is None:
        found: list[str] = []
        for path in sorted(Path(settings.data_dir).glob(f"{settings.database}*.sqlite")):
            with contextlib.closing(sqlite3.connect(path)) as db:
                named = db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
                found += [f"{path.stem}.{name}" for (name,) in named]
        return sorted(found)
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'"
        ).fetchall()
    return sorted(name for (name,) in rows)


@pytest.mark.parametrize("name", SERVICES)
def test_migrate_creates_every_table_the_service_starts_on_and_twice_changes_nothing(
    name: str, on_storage: Callable[..., Any], token_keys: TokenKeys
) -> None:
    service = SERVICES[name]
    settings = on_storage(service.settings, create_tables=False, **service.secrets(token_keys))

    with pytest.raises(SchemaNotMigrated) as refused:
        service.build(settings)
    assert refused.value.missing, "the error names the missing tables"
    assert "migrate" in str(refused.value)

    assert migrate(settings, service.create_tables) == 0
    migrated = tables(settings)
    assert any(t.endswith("view_positions") for t in migrated), migrated
    assert migrate(settings, service.create_tables) == 0, "a second migration is harmless"
    assert tables(settings) == migrated

    built = service.build(settings)  # every table it checks at start-up is there
    service.close(built)
    assert tables(settings) == migrated


@pytest.mark.parametrize("storage", STORAGES)
def test_a_service_allowed_to_create_its_tables_makes_those_migrate_makes(
    storage: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    """The default (and the embedded mode's) start-up and `migrate` agree: a ledger started on
    one database, another migrated, the same tables."""
    with contextlib.ExitStack() as databases:

        def ledger_settings(folder: str) -> LedgerSettings:
            if storage == "sqlite":
                return LedgerSettings(data_dir=tmp_path / folder, kafka_bootstrap=None)
            infra: Infra = request.getfixturevalue("infra")
            database = databases.enter_context(new_database(infra))
            return LedgerSettings(postgres_dsn=infra.postgres_url(database), kafka_bootstrap=None)

        started, migrated = ledger_settings("started"), ledger_settings("migrated")
        build_ledger(started).close()
        assert migrate(migrated, create_ledger_tables) == 0
        assert tables(migrated) == tables(started)


def test_a_migration_that_cannot_reach_its_database_fails_saying_so(
    capsys: pytest.CaptureFixture[str],
) -> None:
    settings = LedgerSettings(postgres_dsn="postgresql://nobody@127.0.0.1:1/{database}")
    assert migrate(settings, create_ledger_tables) == 1
    assert "migration failed" in capsys.readouterr().out

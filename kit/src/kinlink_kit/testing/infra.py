"""The real infrastructure the tests run on (Kafka, PostgreSQL, stripe-mock, an S3-compatible
object store), and a service's settings on SQLite or on PostgreSQL.

Tests that need any of them fail when it is missing: they never skip.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from typing import TypeVar

import pytest

from kinlink_kit.settings import ServiceSettings


@dataclass(frozen=True)
class Infra:
    kafka_bootstrap: str
    postgres_dsn: str  # template with {database}
    stripe_api_base: str
    s3_endpoint: str
    s3_region: str
    s3_bucket: str
    s3_access_key_id: str
    s3_secret_access_key: str

    def postgres_url(self, database: str) -> str:
        return self.postgres_dsn.replace("{database}", database)


def read_infra(env_file: Path) -> Infra:
    """The infrastructure named in the environment, else in `env_file` (`.infra.env`)."""
    values = dict(os.environ)
    if env_file.exists():
        for line in env_file.read_text().splitlines():
            name, _, value = line.partition("=")
            values.setdefault(name.strip(), value.strip())
    try:
        return Infra(
            values["KINLINK_KAFKA_BOOTSTRAP"],
            values["KINLINK_POSTGRES_DSN"],
            values["KINLINK_STRIPE_API_BASE"],
            values["KINLINK_S3_ENDPOINT"],
            values["KINLINK_S3_REGION"],
            values["KINLINK_S3_BUCKET"],
            values["KINLINK_S3_ACCESS_KEY_ID"],
            values["KINLINK_S3_SECRET_ACCESS_KEY"],
        )
    except KeyError as missing:
        pytest.fail(
            f"{missing} is not set: start the infrastructure with `make infra-up` "
            "(make test does it for you)",
            pytrace=False,
        )


# The params of a settings fixture whose tests run on both stores.
STORAGES = ["sqlite", "postgres"]

Settings = TypeVar("Settings", bound=ServiceSettings)


def settings_on(request: pytest.FixtureRequest, kind: type[Settings], **fields: Any) -> Settings:
    """A service's settings on the store `request.param` names: a SQLite file in the test's
    temporary folder, or a fresh database on the real PostgreSQL, e.g.

        @pytest.fixture(params=STORAGES)
        def ledger_settings(request: pytest.FixtureRequest) -> LedgerSettings:
            return settings_on(request, LedgerSettings, kafka_bootstrap=None)
    """
    if request.param == "sqlite":
        tmp_path: Path = request.getfixturevalue("tmp_path")
        return kind(data_dir=tmp_path, postgres_dsn=None, **fields)
    infra: Infra = request.getfixturevalue("infra")
    database: str = request.getfixturevalue("fresh_database")
    return kind(postgres_dsn=infra.postgres_url(database), **fields)

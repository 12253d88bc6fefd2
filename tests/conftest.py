"""Fixtures shared by all tests: the real infrastructure `make infra-up` started, and ledgers.

Tests that need Kafka, PostgreSQL or stripe-mock fail when it is missing: they never skip.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
import pytest
from kinlink_identity.adapters.token_signer import TokenSigner, generate_key_pair
from kinlink_kit.auth import Principal, Role, TokenVerifier
from kinlink_ledger.adapters.simulated_processor import SimulatedProcessor
from kinlink_ledger.bootstrap import LedgerSettings, build_ledger
from kinlink_ledger.service_layer.ledger import Ledger

from tests.ledger_facilities import configure_demo_facilities

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Infra:
    kafka_bootstrap: str
    postgres_dsn: str  # template with {database}
    stripe_api_base: str

    def postgres_url(self, database: str) -> str:
        return self.postgres_dsn.replace("{database}", database)


def _read_infra() -> Infra:
    values = dict(os.environ)
    env_file = ROOT / ".infra.env"
    if env_file.exists():
        for line in env_file.read_text().splitlines():
            name, _, value = line.partition("=")
            values.setdefault(name.strip(), value.strip())
    try:
        return Infra(
            values["KINLINK_KAFKA_BOOTSTRAP"],
            values["KINLINK_POSTGRES_DSN"],
            values["KINLINK_STRIPE_API_BASE"],
        )
    except KeyError as missing:
        pytest.fail(
            f"{missing} is not set: start the infrastructure with `make infra-up` "
            "(make test does it for you)",
            pytrace=False,
        )


@pytest.fixture(scope="session")
def infra() -> Infra:
    return _read_infra()


Metadata = list[tuple[str, str]]


@dataclass(frozen=True)
class TokenKeys:
    """A signing key the tests hold as the identity service would: they mint tokens, services
    verify them with the public half."""

    key_id: str
    private_pem: str
    public_pem: str

    def verifier(self) -> TokenVerifier:
        return TokenVerifier({self.key_id: self.public_pem})

    def env(self) -> dict[str, str]:
        """What a service process reads its verification keys from."""
        return {"KINLINK_JWT_PUBLIC_KEYS": json.dumps({self.key_id: self.public_pem})}

    def token(self, account_id: str, *roles: Role, facilities: Iterable[str] = ()) -> str:
        signer = TokenSigner(self.private_pem, key_id=self.key_id)
        principal = Principal(account_id, frozenset(roles), frozenset(facilities))
        return signer.access_token(principal, timedelta(minutes=15), datetime.now(UTC))

    def family(self, account_id: str) -> Metadata:
        """Call metadata of a signed-in family member."""
        return bearer(self.token(account_id, Role.FAMILY_MEMBER))


def bearer(token: str) -> Metadata:
    return [("authorization", f"Bearer {token}")]


@pytest.fixture(scope="session")
def token_keys() -> TokenKeys:
    private_pem, public_pem = generate_key_pair()
    return TokenKeys("test-key", private_pem, public_pem)


@pytest.fixture
def fresh_database(infra: Infra) -> Iterator[str]:
    """A new, empty PostgreSQL database for one test, dropped afterwards."""
    name = f"kinlink_test_{uuid.uuid4().hex[:12]}"
    admin = infra.postgres_url("postgres")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield name
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class Clock:
    """A clock tests move by hand."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    # A Wednesday, mid-week at every demo facility.
    return Clock(datetime(2026, 11, 25, 18, 0, tzinfo=UTC))


LedgerFactory = Callable[[], Ledger]


@pytest.fixture(params=["sqlite", "postgres"])
def ledger_settings(request: pytest.FixtureRequest, tmp_path: Path) -> LedgerSettings:
    """Ledger settings on SQLite and on the real PostgreSQL: every test using it runs on both."""
    if request.param == "sqlite":
        return LedgerSettings(data_dir=tmp_path, postgres_dsn=None, kafka_bootstrap=None)
    infra = request.getfixturevalue("infra")
    database = request.getfixturevalue("fresh_database")
    return LedgerSettings(postgres_dsn=infra.postgres_dsn, database=database, kafka_bootstrap=None)


@pytest.fixture
def payments(clock: Clock) -> SimulatedProcessor:
    return SimulatedProcessor(clock=clock)


@pytest.fixture
def ledger(
    ledger_settings: LedgerSettings, payments: SimulatedProcessor, clock: Clock
) -> Iterator[Ledger]:
    built = build_ledger(ledger_settings, payments)
    built.clock = clock
    configure_demo_facilities(built)
    yield built
    built.close()

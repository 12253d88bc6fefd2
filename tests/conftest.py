"""Fixtures shared by all tests: the kit's (the real infrastructure `make infra-up` started, a
fresh PostgreSQL database, the clock), identity's token keys, and ledgers.

Tests that need Kafka, PostgreSQL or stripe-mock fail when it is missing: they never skip.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from collections.abc import Callable
from collections.abc import Iterable
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from pathlib import Path

import grpc
import pytest
from kinlink_identity.adapters.token_signer import TokenSigner
from kinlink_identity.adapters.token_signer import generate_key_pair
from kinlink_kit.auth import Principal
from kinlink_kit.auth import Role
from kinlink_kit.auth import TokenVerifier
from kinlink_kit.bus import InMemoryBus
from kinlink_kit.testing import STORAGES
from kinlink_kit.testing import Clock
from kinlink_kit.testing import Infra
from kinlink_kit.testing import serving
from kinlink_kit.testing import settings_on
from kinlink_ledger.adapters.simulated_processor import SimulatedProcessor
from kinlink_ledger.bootstrap import LedgerSettings
from kinlink_ledger.bootstrap import build_ledger
from kinlink_ledger.bootstrap import ledger_service
from kinlink_ledger.service_layer.ledger import Ledger

from tests.ledger_facilities import configure_demo_facilities

pytest_plugins = ["kinlink_kit.testing.fixtures"]

ROOT = Path(__file__).resolve().parent.parent


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


LedgerFactory = Callable[[], Ledger]


@pytest.fixture(params=STORAGES)
def ledger_settings(request: pytest.FixtureRequest) -> LedgerSettings:
    """Ledger settings on SQLite and on the real PostgreSQL: every test using it runs on both."""
    return settings_on(request, LedgerSettings, kafka_bootstrap=None)


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


@pytest.fixture
def postgres_ledger(infra: Infra, fresh_database: str) -> Iterator[Ledger]:
    """A ledger with the demo facilities on its own new PostgreSQL database, the real clock and
    processor: for the tests that stream its events through the real Kafka."""
    built = build_ledger(LedgerSettings(postgres_dsn=infra.postgres_dsn, database=fresh_database))
    configure_demo_facilities(built)
    yield built
    built.close()


@pytest.fixture
async def channel(
    ledger: Ledger, ledger_settings: LedgerSettings, token_keys: TokenKeys
) -> AsyncIterator[grpc.aio.Channel]:
    """The `ledger` served over gRPC in the test's event loop, for tests that call it as clients
    do (on SQLite and on the real PostgreSQL, like the `ledger` fixture)."""
    bus = InMemoryBus()
    async with (
        serving(
            [ledger_service(ledger_settings, bus, ledger)], bus, token_keys.verifier()
        ) as address,
        grpc.aio.insecure_channel(address) as chan,
    ):
        yield chan

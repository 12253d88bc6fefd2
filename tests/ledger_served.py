"""A ledger on a fresh PostgreSQL database served over gRPC, with identity signing the calling
service in: the fixtures of tests of a service's client of the ledger (messaging's and the SMS
gateway's wallets, the commissary's order charges)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from collections.abc import Iterator
from contextlib import AbstractAsyncContextManager
from pathlib import Path

import pytest
from kinlink_identity.bootstrap import build_identity
from kinlink_identity.bootstrap import identity_service
from kinlink_kit.bus import InMemoryBus
from kinlink_kit.testing import Infra
from kinlink_kit.testing import serving
from kinlink_ledger.bootstrap import LedgerSettings
from kinlink_ledger.bootstrap import build_ledger
from kinlink_ledger.bootstrap import ledger_service
from kinlink_ledger.service_layer.ledger import Ledger

from tests.conftest import TokenKeys
from tests.ledger_facilities import configure_demo_facilities
from tests.service_accounts import identity_settings_with_service_account


@pytest.fixture
def ledger_settings(infra: Infra, fresh_database: str) -> LedgerSettings:
    return LedgerSettings(postgres_dsn=infra.postgres_url(fresh_database), kafka_bootstrap=None)


@pytest.fixture
def ledger(ledger_settings: LedgerSettings) -> Iterator[Ledger]:
    """The ledger the test reads in process (balances, charges), beside the one it serves."""
    built = build_ledger(ledger_settings)
    configure_demo_facilities(built)
    yield built
    built.close()


@pytest.fixture
async def identity_address(tmp_path: Path, token_keys: TokenKeys) -> AsyncIterator[str]:
    settings = identity_settings_with_service_account(tmp_path, token_keys)
    bus = InMemoryBus()
    parts = [identity_service(settings, bus, build_identity(settings))]
    async with serving(parts, bus, token_keys.verifier()) as address:
        yield address


def serving_ledger(
    settings: LedgerSettings, token_keys: TokenKeys
) -> AbstractAsyncContextManager[str]:
    """The ledger on the test's database served on a free port, stopped on leaving."""
    bus = InMemoryBus()
    ledger = build_ledger(settings)
    return serving([ledger_service(settings, bus, ledger)], bus, token_keys.verifier())

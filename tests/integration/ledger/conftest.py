"""The ledger served over gRPC in the test's event loop, for the tests that call it as clients
do (on SQLite and on the real PostgreSQL, like the `ledger` fixture it serves)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import grpc
import pytest
from kinlink_kit.bus import InMemoryBus
from kinlink_kit.testing import serving
from kinlink_ledger.bootstrap import LedgerSettings
from kinlink_ledger.bootstrap import ledger_service
from kinlink_ledger.service_layer.ledger import Ledger

from tests.conftest import TokenKeys


@pytest.fixture
async def channel(
    ledger: Ledger, ledger_settings: LedgerSettings, token_keys: TokenKeys
) -> AsyncIterator[grpc.aio.Channel]:
    bus = InMemoryBus()
    async with (
        serving(
            [ledger_service(ledger_settings, bus, ledger)], bus, token_keys.verifier()
        ) as address,
        grpc.aio.insecure_channel(address) as chan,
    ):
        yield chan

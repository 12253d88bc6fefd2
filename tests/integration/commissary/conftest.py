"""The commissary's use cases on SQLite and on the real PostgreSQL, with the ledger's holds of
`tests.commissary_doubles`, built as the service builds itself (bootstrap), a facility
configured and its resident booked; served over gRPC for the tests that call it as clients do."""

from __future__ import annotations

from collections.abc import AsyncIterator
from collections.abc import Iterator

import grpc
import pytest
from kinlink.commissary.v1 import commissary_pb2_grpc
from kinlink_commissary.bootstrap import CommissarySettings
from kinlink_commissary.bootstrap import build_commissary
from kinlink_commissary.bootstrap import commissary_service
from kinlink_commissary.service_layer.commissary import Commissary
from kinlink_kit.bus import InMemoryBus
from kinlink_kit.testing import STORAGES
from kinlink_kit.testing import Clock
from kinlink_kit.testing import serving
from kinlink_kit.testing import settings_on

from tests.commissary_doubles import OTHER_RESIDENT
from tests.commissary_doubles import RESIDENT
from tests.commissary_doubles import MemoryHolds
from tests.commissary_doubles import book
from tests.commissary_doubles import configure
from tests.commissary_orders import MemoryLedger
from tests.conftest import TokenKeys


@pytest.fixture(params=STORAGES)
def commissary_settings(request: pytest.FixtureRequest) -> CommissarySettings:
    return settings_on(request, CommissarySettings, kafka_bootstrap=None)


@pytest.fixture
def holds() -> MemoryHolds:
    return MemoryHolds()


@pytest.fixture
def commissary(
    commissary_settings: CommissarySettings, holds: MemoryHolds, clock: Clock
) -> Iterator[Commissary]:
    commissary = build_commissary(commissary_settings, holds=holds, charges=MemoryLedger())
    commissary.clock = clock
    configure(commissary)
    book(commissary, RESIDENT)
    book(commissary, OTHER_RESIDENT)
    yield commissary
    commissary.close()


@pytest.fixture
async def commissary_stub(
    commissary: Commissary, commissary_settings: CommissarySettings, token_keys: TokenKeys
) -> AsyncIterator[commissary_pb2_grpc.CommissaryServiceStub]:
    bus = InMemoryBus()
    parts = [commissary_service(commissary_settings, bus, commissary)]
    async with (
        serving(parts, bus, token_keys.verifier()) as address,
        grpc.aio.insecure_channel(address) as channel,
    ):
        yield commissary_pb2_grpc.CommissaryServiceStub(channel)

"""Visitation's money on SQLite and on the real PostgreSQL, built as the service builds itself
(bootstrap) with the wallet and rooms of `tests.visitation_money`, its clock at a visit's
window."""

from __future__ import annotations

from collections.abc import AsyncIterator
from collections.abc import Iterator
from dataclasses import dataclass
from dataclasses import field

import grpc
import pytest
from kinlink.visitation.v1 import visitation_pb2_grpc
from kinlink_kit.bus import InMemoryBus
from kinlink_kit.testing import STORAGES
from kinlink_kit.testing import Clock
from kinlink_kit.testing import serving
from kinlink_kit.testing import settings_on
from kinlink_visitation.bootstrap import VisitationSettings
from kinlink_visitation.bootstrap import build_visitation
from kinlink_visitation.bootstrap import visitation_service
from kinlink_visitation.service_layer.visitation import Visitation

from tests.conftest import TokenKeys
from tests.visitation_money import SECOND
from tests.visitation_money import STARTS_AT
from tests.visitation_money import ClosingRooms
from tests.visitation_money import MemoryWallet


@pytest.fixture(params=STORAGES)
def visitation_settings(request: pytest.FixtureRequest) -> VisitationSettings:
    return settings_on(request, VisitationSettings, kafka_bootstrap=None)


@dataclass
class Outside:
    wallet: MemoryWallet = field(default_factory=MemoryWallet)
    rooms: ClosingRooms = field(default_factory=ClosingRooms)


@pytest.fixture
def outside(clock: Clock) -> Outside:
    # The rooms report on the test's clock, as the visits are kept on it.
    return Outside(rooms=ClosingRooms(clock))


@pytest.fixture
def visitation(
    visitation_settings: VisitationSettings, outside: Outside, clock: Clock
) -> Iterator[Visitation]:
    built = build_visitation(visitation_settings, wallet=outside.wallet, rooms=outside.rooms)
    built.clock = clock
    yield built
    built.close()


@pytest.fixture(autouse=True)
def _at_the_start(clock: Clock) -> None:
    clock.now = STARTS_AT + 30 * SECOND


@pytest.fixture
async def visitation_stub(
    visitation: Visitation, visitation_settings: VisitationSettings, token_keys: TokenKeys
) -> AsyncIterator[visitation_pb2_grpc.VisitationServiceStub]:
    """The service served as clients call it; its money sweeps run once at the start, then
    leave the test's clock to the test."""
    quiet = visitation_settings.model_copy(
        update={
            **dict.fromkeys(
                ("visit_meter_seconds", "visit_window_sweep_seconds", "refund_sweep_seconds"),
                3600.0,
            ),
            # Who is in each room, asked of the provider all along: it agrees with the visits.
            "presence_sweep_every_seconds": 0.05,
        }
    )
    bus = InMemoryBus()
    async with (
        serving([visitation_service(quiet, bus, visitation)], bus, token_keys.verifier()) as at,
        grpc.aio.insecure_channel(at) as channel,
    ):
        yield visitation_pb2_grpc.VisitationServiceStub(channel)

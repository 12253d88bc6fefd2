"""Visitation's use cases on SQLite and on the real PostgreSQL, built as the service builds
itself (bootstrap), a facility with two video stations configured and its residents booked;
served over gRPC for the tests that call it as clients do."""

from __future__ import annotations

from collections.abc import AsyncIterator
from collections.abc import Iterator

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
from tests.visitation_doubles import OTHER_RESIDENT
from tests.visitation_doubles import RESIDENT
from tests.visitation_doubles import THIRD_RESIDENT
from tests.visitation_doubles import book
from tests.visitation_doubles import configure
from tests.visitation_money import MemoryWallet


@pytest.fixture(params=STORAGES)
def visitation_settings(request: pytest.FixtureRequest) -> VisitationSettings:
    # Read the facility's settings afresh each time: tests change them between calls. The
    # simulated provider even when a shell exported the infrastructure's LiveKit.
    return settings_on(
        request,
        VisitationSettings,
        kafka_bootstrap=None,
        facility_settings_max_age_seconds=1e-9,
        livekit_url=None,
    )


@pytest.fixture
def visitation(visitation_settings: VisitationSettings, clock: Clock) -> Iterator[Visitation]:
    visitation = build_visitation(visitation_settings, wallet=MemoryWallet())
    visitation.clock = clock
    configure(visitation)
    for resident_id in (RESIDENT, OTHER_RESIDENT, THIRD_RESIDENT):
        book(visitation, resident_id)
    yield visitation
    visitation.close()


@pytest.fixture
async def visitation_stub(
    visitation: Visitation, visitation_settings: VisitationSettings, token_keys: TokenKeys
) -> AsyncIterator[visitation_pb2_grpc.VisitationServiceStub]:
    bus = InMemoryBus()
    parts = [visitation_service(visitation_settings, bus, visitation)]
    async with (
        serving(parts, bus, token_keys.verifier()) as address,
        grpc.aio.insecure_channel(address) as channel,
    ):
        yield visitation_pb2_grpc.VisitationServiceStub(channel)

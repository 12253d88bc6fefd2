"""Messaging on SQLite and on the real PostgreSQL, with its ports' stand-ins, served over gRPC
for tests that call it as the portal, the officers' console and the kiosks do."""

from __future__ import annotations

from collections.abc import AsyncIterator
from collections.abc import Iterator
from typing import Any

import grpc
import pytest
from kinlink.messaging.v1 import messaging_pb2_grpc
from kinlink_kit.bus import InMemoryBus
from kinlink_kit.testing import STORAGES
from kinlink_kit.testing import Clock
from kinlink_kit.testing import serving
from kinlink_kit.testing import settings_on
from kinlink_messaging.bootstrap import MessagingSettings
from kinlink_messaging.bootstrap import build_messaging
from kinlink_messaging.bootstrap import messaging_service
from kinlink_messaging.service_layer.messaging import Messaging

from tests.conftest import TokenKeys
from tests.messaging_doubles import DirectoryDouble
from tests.messaging_doubles import ImageStoreDouble
from tests.messaging_doubles import WalletDouble


@pytest.fixture(params=STORAGES)
def messaging_settings(request: pytest.FixtureRequest) -> MessagingSettings:
    return settings_on(request, MessagingSettings, kafka_bootstrap=None)


@pytest.fixture
def wallet() -> WalletDouble:
    return WalletDouble()


@pytest.fixture
def images() -> ImageStoreDouble:
    return ImageStoreDouble()


@pytest.fixture
def directory() -> DirectoryDouble:
    """FAC-A reviews every message, FAC-B none."""
    directory = DirectoryDouble()
    directory.add("FAC-A", "R-1", "R-2")
    directory.add("FAC-B", "R-9", review_policy="review_none")
    return directory


def no_images(upload: Any, rules: Any) -> Any:
    raise AssertionError("no image is prepared in these tests")


@pytest.fixture
def messaging(
    messaging_settings: MessagingSettings,
    wallet: WalletDouble,
    images: ImageStoreDouble,
    directory: DirectoryDouble,
    clock: Clock,
) -> Iterator[Messaging]:
    built = build_messaging(
        messaging_settings,
        wallet=wallet,
        images=images,
        directory=directory,
        prepare_image=no_images,
    )
    built.clock = clock
    yield built
    built.close()


@pytest.fixture
async def messaging_stub(
    messaging: Messaging, messaging_settings: MessagingSettings, token_keys: TokenKeys
) -> AsyncIterator[messaging_pb2_grpc.MessagingServiceStub]:
    bus = InMemoryBus()
    async with (
        serving(
            [messaging_service(messaging_settings, bus, messaging)], bus, token_keys.verifier()
        ) as address,
        grpc.aio.insecure_channel(address) as channel,
    ):
        yield messaging_pb2_grpc.MessagingServiceStub(channel)

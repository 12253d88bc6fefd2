"""Messaging's use cases on SQLite and on the real PostgreSQL, with the wallet, directory and
image store of `tests.messaging_doubles`, built as the service builds itself (bootstrap), and
served over gRPC for the tests that call it as clients do."""

from __future__ import annotations

from collections.abc import AsyncIterator
from collections.abc import Callable
from collections.abc import Iterator
from dataclasses import dataclass
from dataclasses import field
from uuid import UUID
from uuid import uuid4

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
from kinlink_messaging.domain.message import ImageRef
from kinlink_messaging.domain.message import Message
from kinlink_messaging.service_layer.messaging import Messaging
from kinlink_messaging.service_layer.messaging import PrepareImage

from tests.conftest import TokenKeys
from tests.messaging_doubles import FACILITY
from tests.messaging_doubles import RESIDENT
from tests.messaging_doubles import MemoryDirectory
from tests.messaging_doubles import MemoryImageStore
from tests.messaging_doubles import MemorySmsPictures
from tests.messaging_doubles import MemoryWallet
from tests.messaging_doubles import accept_any_image
from tests.messaging_doubles import demo_directory


@pytest.fixture(params=STORAGES)
def messaging_settings(request: pytest.FixtureRequest) -> MessagingSettings:
    return settings_on(request, MessagingSettings, kafka_bootstrap=None)


@dataclass
class Outside:
    """What messaging talks to, kept across a restart of the application."""

    directory: MemoryDirectory = field(default_factory=demo_directory)
    images: MemoryImageStore = field(default_factory=MemoryImageStore)
    sms_pictures: MemorySmsPictures = field(default_factory=MemorySmsPictures)
    wallet: MemoryWallet = field(init=False)

    def __post_init__(self) -> None:
        self.wallet = MemoryWallet(self.directory)


@pytest.fixture
def outside() -> Outside:
    return Outside()


@pytest.fixture
def prepare_image() -> PrepareImage:
    """Any bytes taken as an image; tests of real images override it with the service's own."""
    return accept_any_image


def open_messaging(
    settings: MessagingSettings,
    outside: Outside,
    clock: Clock,
    prepare_image: PrepareImage = accept_any_image,
) -> Messaging:
    messaging = build_messaging(
        settings,
        wallet=outside.wallet,
        images=outside.images,
        directory=outside.directory,
        prepare_image=prepare_image,
        sms_pictures=outside.sms_pictures,
    )
    messaging.clock = clock
    return messaging


@pytest.fixture
def reopen(
    messaging_settings: MessagingSettings,
    outside: Outside,
    clock: Clock,
    prepare_image: PrepareImage,
) -> Iterator[Callable[[], Messaging]]:
    """Opens the application on the same database, as a process started again would."""
    opened: list[Messaging] = []

    def opening() -> Messaging:
        opened.append(open_messaging(messaging_settings, outside, clock, prepare_image))
        return opened[-1]

    yield opening
    for app in opened:
        app.close()


@pytest.fixture
def messaging(reopen: Callable[[], Messaging]) -> Messaging:
    return reopen()


@pytest.fixture
def family(outside: Outside) -> UUID:
    """A family member with $10.00 in their messaging subscription."""
    account_id = uuid4()
    outside.wallet.fund(account_id, 1000)
    return account_id


@pytest.fixture
async def messaging_address(
    messaging: Messaging, messaging_settings: MessagingSettings, token_keys: TokenKeys
) -> AsyncIterator[str]:
    """Where the service listens for gRPC, in this test's event loop."""
    bus = InMemoryBus()
    async with serving(
        [messaging_service(messaging_settings, bus, messaging)], bus, token_keys.verifier()
    ) as address:
        yield address


@pytest.fixture
async def messaging_stub(
    messaging_address: str,
) -> AsyncIterator[messaging_pb2_grpc.MessagingServiceStub]:
    async with grpc.aio.insecure_channel(messaging_address) as channel:
        yield messaging_pb2_grpc.MessagingServiceStub(channel)


def reply(
    messaging: Messaging,
    outside: Outside,
    account_id: UUID,
    *,
    collect: bool = False,
    reviewed: bool = False,
) -> Message:
    """A resident's reply with an image, as the facility's system posts it."""
    message_id = uuid4()
    key, thumbnail_key = ImageRef.keys(message_id, 0)
    outside.images.put(key, b"photo", "image/jpeg")
    outside.images.put(thumbnail_key, b"ph", "image/jpeg")
    image = ImageRef(key, thumbnail_key, "00" * 32, "image/jpeg", 640, 480, 5)
    message = Message.reply(
        message_id,
        account_id,
        FACILITY,
        RESIDENT,
        "Thank you for writing",
        (image,),
        collect=collect,
        reviewed=reviewed,
        at=messaging.clock(),
    )
    messaging.store.save(message)
    return message

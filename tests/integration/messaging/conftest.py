"""Messaging's use cases on SQLite and on the real PostgreSQL, with the wallet, directory and
image store of `tests.messaging_doubles`."""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Iterator
from dataclasses import dataclass
from dataclasses import field
from uuid import UUID
from uuid import uuid4

import pytest
from kinlink_kit.eventstore import open_store
from kinlink_kit.settings import ServiceSettings
from kinlink_kit.testing import STORAGES
from kinlink_kit.testing import Clock
from kinlink_kit.testing import settings_on
from kinlink_kit.views import view_store
from kinlink_messaging.adapters.messaging_views import MessagingViews
from kinlink_messaging.service_layer.messaging import Messaging
from kinlink_messaging.service_layer.messaging import MessagingStore

from tests.messaging_doubles import MemoryDirectory
from tests.messaging_doubles import MemoryImageStore
from tests.messaging_doubles import MemoryWallet
from tests.messaging_doubles import accept_any_image
from tests.messaging_doubles import demo_directory


class StoreSettings(ServiceSettings):
    """Where messaging keeps its store and views (the service's own settings add the rest)."""

    service_name: str = "messaging"
    database: str = "kinlink_messaging"


@pytest.fixture(params=STORAGES)
def messaging_settings(request: pytest.FixtureRequest) -> StoreSettings:
    return settings_on(request, StoreSettings, kafka_bootstrap=None)


@dataclass
class Outside:
    """What messaging talks to, kept across a restart of the application."""

    directory: MemoryDirectory = field(default_factory=demo_directory)
    images: MemoryImageStore = field(default_factory=MemoryImageStore)
    wallet: MemoryWallet = field(init=False)

    def __post_init__(self) -> None:
        self.wallet = MemoryWallet(self.directory)


@pytest.fixture
def outside() -> Outside:
    return Outside()


def open_messaging(settings: StoreSettings, outside: Outside, clock: Clock) -> Messaging:
    store = open_store(MessagingStore, settings, settings.database)
    return Messaging(
        store=store,
        views=MessagingViews.open(store, view_store(settings, settings.database)),
        wallet=outside.wallet,
        images=outside.images,
        directory=outside.directory,
        prepare_image=accept_any_image,
        clock=clock,
    )


@pytest.fixture
def reopen(
    messaging_settings: StoreSettings, outside: Outside, clock: Clock
) -> Iterator[Callable[[], Messaging]]:
    """Opens the application on the same database, as a process started again would."""
    opened: list[Messaging] = []

    def opening() -> Messaging:
        opened.append(open_messaging(messaging_settings, outside, clock))
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

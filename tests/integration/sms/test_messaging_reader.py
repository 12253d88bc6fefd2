"""The gateway's `Messages` over messaging served over gRPC, signed in through identity as a
platform service: a resident's delivered message with the resident's name and its pictures;
one messaging no longer gives is gone; messaging stopped is unavailable."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from uuid import uuid4

import pytest
from kinlink_kit.bus import InMemoryBus
from kinlink_kit.testing import STORAGES
from kinlink_kit.testing import Clock
from kinlink_kit.testing import refused
from kinlink_kit.testing import serving
from kinlink_kit.testing import settings_on
from kinlink_messaging.bootstrap import MessagingSettings
from kinlink_messaging.bootstrap import messaging_service
from kinlink_messaging.service_layer.messaging import Messaging
from kinlink_sms.adapters.messaging_reader import MessagingReader
from kinlink_sms.domain.ports import MessageGone
from kinlink_sms.domain.ports import MessagesUnavailable
from kinlink_sms.domain.ports import MessageToSend

from tests.conftest import TokenKeys
from tests.integration.messaging.conftest import Outside
from tests.integration.messaging.conftest import open_messaging
from tests.integration.messaging.conftest import reply
from tests.integration.messaging.test_ledger_wallet import identity_address  # noqa: F401
from tests.messaging_doubles import FACILITY
from tests.messaging_doubles import RESIDENT
from tests.service_accounts import service_account


@pytest.fixture(params=STORAGES)
def messaging_settings(request: pytest.FixtureRequest) -> MessagingSettings:
    return settings_on(request, MessagingSettings, kafka_bootstrap=None)


@pytest.fixture
def outside() -> Outside:
    return Outside()


@pytest.fixture
def messaging(
    messaging_settings: MessagingSettings, outside: Outside, clock: Clock
) -> Iterator[Messaging]:
    built = open_messaging(messaging_settings, outside, clock)
    yield built
    built.close()


async def test_a_delivered_message_is_read_as_the_gateway_sends_it(
    messaging: Messaging,
    messaging_settings: MessagingSettings,
    outside: Outside,
    identity_address: str,  # noqa: F811
    token_keys: TokenKeys,
) -> None:
    family = uuid4()
    message = reply(messaging, outside, family)  # with one picture
    bus = InMemoryBus()
    parts = [messaging_service(messaging_settings, bus, messaging)]
    async with serving(parts, bus, token_keys.verifier()) as address:
        reader = MessagingReader(address, service_account(identity_address))
        found = await asyncio.to_thread(reader.delivered_message, message.id)
        assert found == MessageToSend(
            message.id,
            family,
            FACILITY,
            RESIDENT,
            f"Resident {RESIDENT}",
            "Thank you for writing",
            image_urls=(),  # the doubles' store signs no URL, as the embedded mode's folder
            pictures=1,
        )
        with refused(MessageGone, "message_gone"):
            await asyncio.to_thread(reader.delivered_message, uuid4())
    with refused(MessagesUnavailable, "messages_unavailable"):
        await asyncio.to_thread(reader.delivered_message, message.id)
    reader.close()

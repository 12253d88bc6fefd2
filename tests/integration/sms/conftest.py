"""The SMS gateway's use cases on SQLite and on the real PostgreSQL, with the carrier, wallet,
messages and directory of `tests.sms_doubles`, built as the service builds itself
(bootstrap), and served over gRPC for the tests that call it as clients do; the local Twilio
stand-in for those that talk to Twilio."""

from __future__ import annotations

from collections.abc import AsyncIterator
from collections.abc import Callable
from collections.abc import Iterator
from pathlib import Path
from uuid import UUID
from uuid import uuid4

import grpc
import pytest
from kinlink.sms.v1 import sms_pb2_grpc
from kinlink_contracts.sms_consent import CURRENT_SMS_CONSENT_VERSION
from kinlink_kit.bus import InMemoryBus
from kinlink_kit.testing import STORAGES
from kinlink_kit.testing import Clock
from kinlink_kit.testing import serving
from kinlink_kit.testing import settings_on
from kinlink_sms.bootstrap import SmsSettings
from kinlink_sms.bootstrap import build_sms_gateway
from kinlink_sms.bootstrap import sms_gateway_service
from kinlink_sms.domain.phone import parse_phone_number
from kinlink_sms.domain.subscription import SmsSubscription
from kinlink_sms.service_layer.confirm_verification import confirm_verification
from kinlink_sms.service_layer.gateway import SmsGateway
from kinlink_sms.service_layer.start_verification import StartVerification
from kinlink_sms.service_layer.start_verification import start_verification

from tests.conftest import TokenKeys
from tests.sms_doubles import KINLINK_NUMBERS
from tests.sms_doubles import MMS_FACILITY
from tests.sms_doubles import NO_SMS_FACILITY
from tests.sms_doubles import RESIDENT
from tests.sms_doubles import SMS_FACILITY
from tests.sms_doubles import SmsOutside
from tests.twilio_standin import twilio_standin  # noqa: F401 (the fixture)


@pytest.fixture(params=STORAGES)
def sms_settings(request: pytest.FixtureRequest, tmp_path: Path) -> SmsSettings:
    settings = settings_on(
        request, SmsSettings, kafka_bootstrap=None, sms_numbers=list(KINLINK_NUMBERS)
    )
    # The test's own folder on PostgreSQL too: the replies' pictures are kept under it.
    return settings.model_copy(update={"data_dir": tmp_path})


@pytest.fixture
def outside() -> SmsOutside:
    return SmsOutside()


def open_gateway(settings: SmsSettings, outside: SmsOutside, clock: Clock) -> SmsGateway:
    gateway = build_sms_gateway(
        settings,
        carrier=outside.carrier,
        wallet=outside.wallet,
        messages=outside.messages,
        directory=outside.directory,
    )
    gateway.clock = clock
    return gateway


@pytest.fixture
def reopen(
    sms_settings: SmsSettings, outside: SmsOutside, clock: Clock
) -> Iterator[Callable[[], SmsGateway]]:
    """Opens the application on the same database, as a process started again would."""
    opened: list[SmsGateway] = []

    def opening() -> SmsGateway:
        opened.append(open_gateway(sms_settings, outside, clock))
        return opened[-1]

    yield opening
    for app in opened:
        app.close()


@pytest.fixture
def gateway(reopen: Callable[[], SmsGateway]) -> SmsGateway:
    return reopen()


@pytest.fixture
async def sms_address(
    gateway: SmsGateway, sms_settings: SmsSettings, token_keys: TokenKeys
) -> AsyncIterator[str]:
    """Where the service listens for gRPC, in this test's event loop."""
    bus = InMemoryBus()
    async with serving(
        [sms_gateway_service(sms_settings, bus, gateway)], bus, token_keys.verifier()
    ) as address:
        yield address


@pytest.fixture
async def sms_stub(sms_address: str) -> AsyncIterator[sms_pb2_grpc.SmsGatewayServiceStub]:
    async with grpc.aio.insecure_channel(sms_address) as channel:
        yield sms_pb2_grpc.SmsGatewayServiceStub(channel)


PHONE = "+13125550123"


@pytest.fixture
def family(outside: SmsOutside) -> UUID:
    """A family member who corresponded with RESIDENT at both SMS facilities, with $10.00."""
    account_id = uuid4()
    for facility_id in (SMS_FACILITY, MMS_FACILITY, NO_SMS_FACILITY):
        outside.directory.correspond(account_id, facility_id, RESIDENT)
    outside.wallet.fund(account_id, 1000)
    return account_id


def start(
    gateway: SmsGateway,
    account_id: UUID,
    phone: str = PHONE,
    facility_id: str = SMS_FACILITY,
    resident_id: str = RESIDENT,
) -> SmsSubscription:
    return start_verification(
        gateway,
        StartVerification(account_id, facility_id, resident_id, phone, CURRENT_SMS_CONSENT_VERSION),
    )


def turn_on(
    gateway: SmsGateway,
    outside: SmsOutside,
    account_id: UUID,
    phone: str = PHONE,
    facility_id: str = SMS_FACILITY,
    resident_id: str = RESIDENT,
) -> SmsSubscription:
    """SMS on for the resident, the number verified with the code the carrier carried."""
    start(gateway, account_id, phone, facility_id, resident_id)
    code = outside.carrier.code_sent_to(parse_phone_number(phone))
    return confirm_verification(gateway, account_id, facility_id, resident_id, code)

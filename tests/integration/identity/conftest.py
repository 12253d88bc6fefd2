"""An identity service on SQLite and on the real PostgreSQL, with its mail kept for reading, in
process or served over gRPC."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from collections.abc import Iterator

import grpc
import pytest
from kinlink.identity.v1.identity_pb2_grpc import IdentityServiceStub
from kinlink_identity.bootstrap import IdentitySettings
from kinlink_identity.bootstrap import build_identity
from kinlink_identity.bootstrap import identity_service
from kinlink_identity.domain.mail import Email
from kinlink_identity.domain.mail import Mailer
from kinlink_identity.service_layer.identity import Identity
from kinlink_kit.bus import InMemoryBus
from kinlink_kit.testing import STORAGES
from kinlink_kit.testing import Clock
from kinlink_kit.testing import serving
from kinlink_kit.testing import settings_on

from tests.conftest import TokenKeys


class RecordingMailer(Mailer):
    """Keeps every email, so tests can follow the links in them."""

    def __init__(self) -> None:
        self.sent: list[Email] = []

    def send(self, email: Email) -> None:
        self.sent.append(email)

    def last_token(self, to: str) -> str:
        """The token in the latest email to `to`."""
        for email in reversed(self.sent):
            if email.to == to:
                match = re.search(r"token=([A-Za-z0-9_\-]+)", email.text)
                assert match, f"no token in {email.text!r}"
                return match.group(1)
        raise AssertionError(f"no email to {to}")


@pytest.fixture
def mailer() -> RecordingMailer:
    return RecordingMailer()


@pytest.fixture(params=STORAGES)
def identity_settings(request: pytest.FixtureRequest, token_keys: TokenKeys) -> IdentitySettings:
    """Identity settings on SQLite and on the real PostgreSQL: tests using them run on both."""
    return settings_on(
        request,
        IdentitySettings,
        jwt_private_key=token_keys.private_pem,
        jwt_key_id=token_keys.key_id,
        password_time_cost=1,
        password_memory_kib=1024,
        personal_data_key="q1wJ3WvS5ZQwRkGm1rE0aVh0hSZ8CB0l3XbJb3tIYk0=",
        kafka_bootstrap=None,
    )


@pytest.fixture
def identity(
    identity_settings: IdentitySettings, mailer: RecordingMailer, clock: Clock
) -> Iterator[Identity]:
    built = build_identity(identity_settings, mailer)
    built.clock = clock
    yield built
    built.close()


@pytest.fixture
async def stub(
    identity_settings: IdentitySettings, mailer: RecordingMailer, token_keys: TokenKeys
) -> AsyncIterator[IdentityServiceStub]:
    """Identity served on a free port in this process, and a client of it."""
    bus = InMemoryBus()
    parts = [identity_service(identity_settings, bus, build_identity(identity_settings, mailer))]
    async with (
        serving(parts, bus, token_keys.verifier()) as address,
        grpc.aio.insecure_channel(address) as channel,
    ):
        yield IdentityServiceStub(channel)

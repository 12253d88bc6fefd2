"""Services sign in to Kafka as deployed (deploy/k8s: SASL_SSL, SCRAM-SHA-512, the cluster CA):
the kit's bus, built from KINLINK_KAFKA_* settings as a service builds it, on the private broker
of `secured_kafka` (TLS, its users and ACLs those of deploy/k8s/kafka/users.yaml). What each user
may write and read there is in test_kafka_acls_enforced.py; here: that signing in works, and
that it fails at once, saying why, when the password or the CA is wrong."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from aiokafka.errors import KafkaConnectionError
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from kinlink_contracts.topics import LEDGER_EVENTS
from kinlink_kit.bus import Bus
from kinlink_kit.bus import IncomingMessage
from kinlink_kit.bus import OutgoingMessage
from kinlink_kit.runtime import service_bus
from kinlink_kit.settings import ServiceSettings
from kinlink_kit.testing import eventually
from pydantic import SecretStr

from tests.deploy.secured_kafka import SecuredKafka
from tests.deploy.secured_kafka import certificate
from tests.deploy.test_kafka_acls_enforced import kafka  # noqa: F401 (the broker, as a fixture)
from tests.deploy.test_kafka_acls_enforced import settings_of
from tests.kafka_wiring import services

# Every refusal below comes within this; a client that hangs instead fails the test.
REFUSED_WITHIN_SECONDS = 60


async def started(settings: ServiceSettings) -> Bus:
    bus = service_bus(settings)
    await asyncio.wait_for(bus.start(), REFUSED_WITHIN_SECONDS)
    return bus


def logged_reasons(caplog: pytest.LogCaptureFixture) -> str:
    """What aiokafka logs (as a service's log shows it) when it cannot bootstrap."""
    return "\n".join(r.getMessage() for r in caplog.records if r.name.startswith("aiokafka"))


def another_ca(folder: Path) -> Path:
    """The certificate of a CA the broker's certificate was not signed by."""
    key = ec.generate_private_key(ec.SECP256R1())
    path = folder / "another-ca.pem"
    path.write_bytes(
        certificate("another CA", key, ("another CA", key)).public_bytes(serialization.Encoding.PEM)
    )
    return path


async def test_the_ledger_publishes_and_identity_consumes_signed_in_over_tls(
    kafka: SecuredKafka,  # noqa: F811
) -> None:
    ledger = await started(settings_of(kafka, "ledger"))
    try:
        await ledger.publish([OutgoingMessage(LEDGER_EVENTS, "R-1001", b"{}")])
    finally:
        await ledger.stop()

    received: list[IncomingMessage] = []

    async def handle(message: IncomingMessage) -> None:
        received.append(message)

    async def deposit_received() -> bool:
        return any(m.key == "R-1001" for m in received)

    identity = service_bus(settings_of(kafka, "identity"))
    identity.subscribe(LEDGER_EVENTS, services()["identity"].consumed[LEDGER_EVENTS], handle)
    await identity.start()
    try:
        await eventually(deposit_received)
    finally:
        await identity.stop()


async def test_a_wrong_password_is_refused_at_start(
    kafka: SecuredKafka,  # noqa: F811
    caplog: pytest.LogCaptureFixture,
) -> None:
    wrong = settings_of(kafka, "ledger").model_copy(
        update={"kafka_password": SecretStr("not-the-ledger-password")}
    )
    with pytest.raises(KafkaConnectionError):
        await started(wrong)
    assert "invalid credentials with SASL mechanism SCRAM-SHA-512" in logged_reasons(caplog)


@pytest.mark.parametrize("trusted", ["the system's CAs", "another CA"])
async def test_a_broker_not_signed_by_the_given_ca_is_refused(
    kafka: SecuredKafka,  # noqa: F811
    trusted: str,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    ca_file = None if trusted == "the system's CAs" else another_ca(tmp_path)
    untrusting = settings_of(kafka, "ledger").model_copy(update={"kafka_ca_file": ca_file})
    with pytest.raises(KafkaConnectionError):
        await started(untrusting)
    assert "CERTIFICATE_VERIFY_FAILED" in logged_reasons(caplog)

"""Services sign in to Kafka as deployed (deploy/k8s: SASL_SSL, SCRAM-SHA-512, the cluster CA):
the kit's bus, built from KINLINK_KAFKA_* settings as a service builds it, against a private
broker with a TLS listener, its users and ACLs those of deploy/k8s/kafka/users.yaml."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from aiokafka.errors import KafkaConnectionError
from aiokafka.errors import TopicAuthorizationFailedError
from kinlink_contracts.ledger_audit import AUDIT_KEY
from kinlink_contracts.ledger_audit import AuditRecord
from kinlink_contracts.topics import LEDGER_AUDIT
from kinlink_contracts.topics import LEDGER_EVENTS
from kinlink_kit.bus import Bus
from kinlink_kit.bus import IncomingMessage
from kinlink_kit.bus import OutgoingMessage
from kinlink_kit.bus import kafka_client_options
from kinlink_kit.runtime import service_bus
from kinlink_kit.settings import ServiceSettings
from kinlink_kit.testing import eventually
from kinlink_kit.testing import free_port
from kinlink_ledger.audit.sources import kafka_batches

from tests.deploy.custom_resources import grants
from tests.deploy.custom_resources import kafka_topics
from tests.deploy.custom_resources import kafka_users
from tests.deploy.kafka_wiring import services
from tests.deploy.secured_kafka import password_of
from tests.deploy.tls_kafka import TlsKafka
from tests.infra_script import private_home
from tests.infra_script import running

# Every refusal below comes within this; a client that hangs instead fails the test.
REFUSED_WITHIN_SECONDS = 60


@pytest.fixture(scope="module")
def kafka() -> Iterator[TlsKafka]:
    principals = kafka_users()
    broker = TlsKafka(
        private_home("kafka"), free_port(), free_port(), free_port(), list(principals)
    )
    with running(broker):
        asyncio.run(
            broker.prepare(
                sorted(kafka_topics()),
                [
                    (user, kind, name, pattern, operation)
                    for user, resource in principals.items()
                    for (kind, name, pattern), operations in grants(resource).items()
                    for operation in operations
                ],
            )
        )
        yield broker


def settings_of(kafka: TlsKafka, user: str, **changes: Any) -> ServiceSettings:
    """A service's settings as its Deployment gives them (its ConfigMap and its user's Secret)."""
    environment = {
        "service_name": user,
        "kafka_bootstrap": kafka.tls_bootstrap,
        "kafka_security_protocol": "SASL_SSL",
        "kafka_sasl_mechanism": "SCRAM-SHA-512",
        "kafka_username": user,
        "kafka_password": password_of(user),
        "kafka_ca_file": kafka.ca_file,
    }
    return ServiceSettings.model_validate(environment | changes)


async def bus_of(settings: ServiceSettings) -> Bus:
    bus = service_bus(settings)
    await asyncio.wait_for(bus.start(), REFUSED_WITHIN_SECONDS)
    return bus


def deposit_event(key: str) -> OutgoingMessage:
    return OutgoingMessage(LEDGER_EVENTS, key, b'{"type": "DepositCaptured"}')


async def test_the_ledger_publishes_and_identity_consumes_signed_in_over_tls(
    kafka: TlsKafka,
) -> None:
    ledger = await bus_of(settings_of(kafka, "ledger"))
    try:
        await ledger.publish([deposit_event("R-1001")])
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


def logged_reasons(caplog: pytest.LogCaptureFixture) -> str:
    """What aiokafka logs (as a service's log shows it) when it cannot bootstrap."""
    return "\n".join(r.getMessage() for r in caplog.records if r.name.startswith("aiokafka"))


async def test_a_wrong_password_is_refused_at_start(
    kafka: TlsKafka, caplog: pytest.LogCaptureFixture
) -> None:
    with pytest.raises(KafkaConnectionError):
        await bus_of(settings_of(kafka, "ledger", kafka_password="not-the-ledger-password"))
    assert "invalid credentials with SASL mechanism SCRAM-SHA-512" in logged_reasons(caplog)


@pytest.mark.parametrize("trusted", ["the system's CAs", "another CA"])
async def test_a_broker_not_signed_by_the_given_ca_is_refused(
    kafka: TlsKafka, trusted: str, caplog: pytest.LogCaptureFixture
) -> None:
    ca_file: Path | None = None if trusted == "the system's CAs" else kafka.other_ca_file
    with pytest.raises(KafkaConnectionError):
        await bus_of(settings_of(kafka, "ledger", kafka_ca_file=ca_file))
    assert "CERTIFICATE_VERIFY_FAILED" in logged_reasons(caplog)


async def test_only_the_ledgers_user_writes_the_ledgers_topic(kafka: TlsKafka) -> None:
    messaging = await bus_of(settings_of(kafka, "messaging"))
    try:
        with pytest.raises(TopicAuthorizationFailedError):
            await asyncio.wait_for(
                messaging.publish([deposit_event("R-1002")]), REFUSED_WITHIN_SECONDS
            )
    finally:
        await messaging.stop()


async def test_an_auditor_reads_the_audit_stream_signed_in_as_auditor(kafka: TlsKafka) -> None:
    record = AuditRecord(
        position=1,
        originator_id=uuid.uuid4(),
        originator_version=1,
        topic="kinlink_ledger.domain:DepositCaptured",
        state=b"{}",
        previous_hash="0" * 64,
        hash="1" * 64,
    )
    ledger = await bus_of(settings_of(kafka, "ledger"))
    try:
        await ledger.publish([OutgoingMessage(LEDGER_AUDIT, AUDIT_KEY, record.to_bytes())])
    finally:
        await ledger.stop()

    auditor = kafka_client_options(settings_of(kafka, "auditor"))
    read = [
        e
        async for batch in kafka_batches(kafka.tls_bootstrap, LEDGER_AUDIT, auditor)
        for e in batch
    ]
    assert [(e.position, e.hash) for e in read] == [(1, "1" * 64)]

"""The ACLs of deploy/k8s/kafka/users.yaml on a real broker that enforces them (a private one
with SCRAM sign-in and the StandardAuthorizer): each principal can do what its code does, with
the producer and consumer settings the kit uses, and is refused the rest."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from uuid import UUID

import pytest
from aiokafka import AIOKafkaConsumer
from aiokafka import AIOKafkaProducer
from aiokafka import TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.errors import GroupAuthorizationFailedError
from aiokafka.errors import TopicAuthorizationFailedError
from kinlink_cli.ops import Brokers
from kinlink_cli.ops import dead_letters
from kinlink_contracts.ledger_audit import AuditRecord
from kinlink_contracts.topics import FACILITY_EVENTS
from kinlink_contracts.topics import LEDGER_AUDIT
from kinlink_contracts.topics import LEDGER_EVENTS
from kinlink_contracts.topics import dead_letter_topic
from kinlink_facility_example.cli import main as facility_example
from kinlink_kit.bus import OutgoingMessage
from kinlink_kit.bus import kafka_client_options
from kinlink_kit.progress import Progress
from kinlink_kit.runtime import service_bus
from kinlink_kit.settings import ServiceSettings
from kinlink_kit.testing import free_port
from kinlink_ledger.audit.sources import kafka_batches
from pydantic import SecretStr

from tests.deploy.custom_resources import grants
from tests.deploy.custom_resources import kafka_topics
from tests.deploy.custom_resources import kafka_users
from tests.deploy.secured_kafka import SecuredKafka
from tests.deploy.secured_kafka import password_of
from tests.infra_script import private_home
from tests.infra_script import running
from tests.kafka_wiring import services

# What every test publishes: a record of the audit topic's shape, so that an auditor's tool
# reads it (elsewhere its bytes do not matter).
RECORD = AuditRecord(
    position=1,
    originator_id=UUID(int=1),
    originator_version=1,
    topic="kinlink_ledger.domain.deposits:Deposit.Captured",
    state=b"{}",
    previous_hash="0" * 64,
    hash="1" * 64,
).to_bytes()
NO_ERROR = 0
TOPIC_AUTHORIZATION_FAILED = 29


@pytest.fixture(scope="module")
def kafka() -> Iterator[SecuredKafka]:
    principals = kafka_users()
    granted = [
        (user, kind, name, pattern, operation)
        for user, resource in principals.items()
        for (kind, name, pattern), operations in grants(resource).items()
        for operation in operations
    ]
    broker = SecuredKafka(private_home("kafka"), free_port(), free_port(), list(principals))
    with running(broker):
        asyncio.run(broker.prepare(sorted(kafka_topics()), granted))
        yield broker


async def publish(kafka: SecuredKafka, user: str, topic: str) -> None:
    """As the kit's bus publishes: idempotent, acks=all."""
    producer = AIOKafkaProducer(
        bootstrap_servers=kafka.bootstrap,
        enable_idempotence=True,
        acks="all",
        request_timeout_ms=10_000,
        **kafka.client_security(user),
    )
    await producer.start()
    try:
        await producer.send_and_wait(topic, RECORD, key=b"resident")
    finally:
        await producer.stop()


async def consume_one(kafka: SecuredKafka, user: str, topic: str, group: str | None) -> None:
    """Reads the first message of `topic` and, in a group, commits past it as the kit does;
    without a group, from its partition as auditors read."""
    consumer = AIOKafkaConsumer(
        bootstrap_servers=kafka.bootstrap,
        group_id=group,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        request_timeout_ms=10_000,
        **kafka.client_security(user),
    )
    await consumer.start()
    try:
        if group is None:
            consumer.assign([TopicPartition(topic, 0)])
            await consumer.seek_to_beginning()
        else:
            consumer.subscribe([topic])
        message = await asyncio.wait_for(consumer.getone(), 30)
        if group is not None:
            await consumer.commit({TopicPartition(topic, 0): message.offset + 1})
    finally:
        await consumer.stop()


async def may_see(kafka: SecuredKafka, user: str, topic: str) -> bool:
    """Whether `user` may describe `topic`: reading it implies that, so a user who may not is
    refused reading too (a refused read is only retried by the consumer, never raised)."""
    admin = AIOKafkaAdminClient(bootstrap_servers=kafka.bootstrap, **kafka.client_security(user))
    await admin.start()
    try:
        [described] = await admin.describe_topics([topic])
    finally:
        await admin.close()
    assert described["error_code"] in (NO_ERROR, TOPIC_AUTHORIZATION_FAILED), described
    return described["error_code"] == NO_ERROR


async def test_every_service_publishes_its_events_and_its_dead_letters(kafka: SecuredKafka) -> None:
    for service in services().values():
        for topic in sorted(service.published | service.outbox_dead_letters):
            await publish(kafka, service.name, topic)


async def test_every_service_consumes_its_topics_in_its_group(kafka: SecuredKafka) -> None:
    for topic in {t for s in services().values() for t in s.consumed}:
        await publish(kafka, "admin", topic)
    for service in services().values():
        for topic, group in sorted(service.consumed.items()):
            await consume_one(kafka, service.name, topic, group)


async def test_a_service_is_refused_the_ledgers_topics_and_other_groups(
    kafka: SecuredKafka,
) -> None:
    await publish(kafka, "admin", LEDGER_EVENTS)
    with pytest.raises(TopicAuthorizationFailedError):
        await publish(kafka, "messaging", LEDGER_EVENTS)
    assert not await may_see(kafka, "messaging", LEDGER_EVENTS)
    with pytest.raises(GroupAuthorizationFailedError):
        await consume_one(kafka, "commissary", LEDGER_EVENTS, "kinlink-ledger")


async def test_an_auditor_reads_the_audit_topic_and_nothing_else(kafka: SecuredKafka) -> None:
    await publish(kafka, "ledger", LEDGER_AUDIT)
    await consume_one(kafka, "auditor", LEDGER_AUDIT, None)
    # As `kinlink ledger verify --source kafka` reads it, signed in from the auditor's settings.
    batches = kafka_batches(
        kafka.bootstrap, LEDGER_AUDIT, kafka_client_options(settings_of(kafka, "auditor"))
    )
    assert [event.position async for batch in batches for event in batch] == [1]
    assert not await may_see(kafka, "auditor", LEDGER_EVENTS)
    assert not await may_see(kafka, "identity", LEDGER_AUDIT)
    assert await may_see(kafka, "identity", LEDGER_EVENTS)


async def test_a_facility_system_posts_and_follows_the_ledger(kafka: SecuredKafka) -> None:
    await publish(kafka, "facility-integration", FACILITY_EVENTS)
    await publish(kafka, "ledger", LEDGER_EVENTS)
    await consume_one(kafka, "facility-integration", LEDGER_EVENTS, "facility-FAC-DEMO")


def test_the_example_facility_system_signs_in_as_its_user(
    kafka: SecuredKafka, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # As its README tells an integrator: the settings in the environment, then a command.
    for name, value in {
        "KINLINK_KAFKA_BOOTSTRAP": kafka.bootstrap,
        "KINLINK_KAFKA_SECURITY_PROTOCOL": "SASL_SSL",
        "KINLINK_KAFKA_USERNAME": "facility-integration",
        "KINLINK_KAFKA_PASSWORD": password_of("facility-integration"),
        "KINLINK_KAFKA_CA_FILE": str(kafka.ca_file),
        "KINLINK_FACILITY_ID": "FAC-DEMO",
        "KINLINK_FACILITY_STATE_FILE": str(tmp_path / "books.sqlite"),
    }.items():
        monkeypatch.setenv(name, value)

    assert facility_example(["book", "R-1001", "Ada", "Lovelace"]) == 0


def settings_of(kafka: SecuredKafka, user: str) -> ServiceSettings:
    """A process's settings for signing in as `user` (KINLINK_KAFKA_USERNAME, ..._PASSWORD,
    ..._CA_FILE)."""
    return ServiceSettings(
        kafka_bootstrap=kafka.bootstrap,
        kafka_security_protocol="SASL_SSL",
        kafka_username=user,
        kafka_password=SecretStr(password_of(user)),
        kafka_ca_file=kafka.ca_file,
    )


async def publish_through_the_kit(kafka: SecuredKafka, user: str, topic: str) -> None:
    """As a service does: its bus from its settings."""
    bus = service_bus(settings_of(kafka, user))
    await bus.start()
    try:
        await bus.publish([OutgoingMessage(topic, "resident", RECORD)])
    finally:
        await bus.stop()


async def test_a_service_signs_in_over_tls_with_its_settings(kafka: SecuredKafka) -> None:
    await publish_through_the_kit(kafka, "ledger", LEDGER_EVENTS)
    with pytest.raises(TopicAuthorizationFailedError):
        await publish_through_the_kit(kafka, "messaging", LEDGER_EVENTS)


async def test_an_operators_tool_reads_dead_letters_and_replays_them_signed_in(
    kafka: SecuredKafka,
) -> None:
    await publish(kafka, "identity", dead_letter_topic(FACILITY_EVENTS))
    await publish(kafka, "identity", dead_letter_topic(LEDGER_EVENTS))
    # `kinlink ops dlq list|replay` sign in as KafkaUser operator: every dead-letter topic...
    brokers = Brokers(kafka.bootstrap, kafka_client_options(settings_of(kafka, "operator")))
    for topic in (FACILITY_EVENTS, LEDGER_EVENTS):
        letters = [r async for r in dead_letters(brokers, topic, Progress("letters"))]
        assert [letter.value for letter in letters] == [RECORD]
    # ...put back on the topic they failed on, but never on the ledger's.
    await publish(kafka, "operator", FACILITY_EVENTS)
    with pytest.raises(TopicAuthorizationFailedError):
        await publish(kafka, "operator", LEDGER_EVENTS)

"""`kinlink-ledger republish --topic <audit topic>` on the real PostgreSQL and Kafka: the ledger's
audit topic, lost, comes back from its store whole and in order, and the command consumes nothing
while it runs beside the service."""

from __future__ import annotations

import asyncio
import uuid
from itertools import pairwise

from aiokafka.admin import AIOKafkaAdminClient
from kinlink_contracts.ledger_audit import AuditRecord
from kinlink_kit.bus import Bus
from kinlink_kit.eventstore import Tracking
from kinlink_kit.outbox import OutboxRelay
from kinlink_kit.republish import republish_command
from kinlink_kit.runtime import ServiceParts
from kinlink_kit.testing import Infra
from kinlink_ledger.bootstrap import LedgerSettings
from kinlink_ledger.bootstrap import build_ledger
from kinlink_ledger.bootstrap import ledger_service

from tests.ledger_facilities import configure_demo_facilities
from tests.streams.kafka_helpers import read_topic


def start(settings: LedgerSettings, bus: Bus) -> ServiceParts:
    return ledger_service(settings, bus, build_ledger(settings))


async def test_the_ledger_republishes_its_audit_topic_from_its_store(
    infra: Infra, fresh_database: str
) -> None:
    settings = LedgerSettings(
        postgres_dsn=infra.postgres_url(fresh_database),
        kafka_bootstrap=infra.kafka_bootstrap,
        audit_topic=f"test.audit.{uuid.uuid4().hex[:8]}",
        consumer_group=f"test-ledger-{uuid.uuid4().hex[:8]}",
        outbox_relay=False,
    )
    ledger = build_ledger(settings)
    configure_demo_facilities(ledger)
    stored = ledger.store.recorder.max_notification_id() or 0
    # The relay had published them all before Kafka lost the topic.
    ledger.store.tracking.insert_tracking(Tracking(OutboxRelay.position_name, stored))
    ledger.close()
    assert stored > 10

    # The command runs its own event loop: off this test's loop, in a thread.
    argv = ["--topic", settings.audit_topic]
    assert await asyncio.to_thread(republish_command, settings, start, argv) == 0

    records = await read_topic(
        infra.kafka_bootstrap, settings.audit_topic, until=lambda rs: len(rs) >= stored
    )
    audit = [AuditRecord.model_validate_json(r.value) for r in records]
    assert [a.position for a in audit] == list(range(1, stored + 1))
    # Each link names the one before it: the chain auditors verify holds on the new topic.
    assert all(b.previous_hash == a.hash for a, b in pairwise(audit))
    # The ledger it built never joined its consumer group: it took none of the service's events.
    assert settings.consumer_group not in await consumer_groups(infra.kafka_bootstrap)


async def consumer_groups(bootstrap: str) -> set[str]:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        return {group for group, _ in await admin.list_consumer_groups()}
    finally:
        await admin.close()


def test_republish_refuses_without_a_broker_to_publish_to(
    infra: Infra, fresh_database: str
) -> None:
    settings = LedgerSettings(postgres_dsn=infra.postgres_url(fresh_database))
    assert republish_command(settings, start, ["--topic", "kinlink.ledger.audit.v1"]) == 2

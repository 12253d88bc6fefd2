"""The kit's consumer on the real broker: exactly-once effects across a crash, dead letters."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from datetime import UTC
from datetime import datetime

from aiokafka.structs import ConsumerRecord
from kinlink_contracts.envelope import Envelope
from kinlink_contracts.envelope import IntegrationEvent
from kinlink_contracts.facility import DepositPosted
from kinlink_contracts.topics import FACILITY_EVENTS
from kinlink_contracts.topics import dead_letter_topic
from kinlink_kit.bus import KafkaBus
from kinlink_kit.eventstore import store_env
from kinlink_kit.settings import ServiceSettings
from kinlink_kit.testing import Infra
from kinlink_kit.testing import eventually
from kinlink_kit.testing import serving
from kinlink_ledger.bootstrap import LedgerSettings
from kinlink_ledger.bootstrap import build_ledger
from kinlink_ledger.bootstrap import ledger_service
from kinlink_ledger.domain.deposit import DepositStatus
from kinlink_ledger.domain.money import Cents
from kinlink_ledger.service_layer.confirm_deposit import ConfirmDeposit
from kinlink_ledger.service_layer.confirm_deposit import confirm_deposit
from kinlink_ledger.service_layer.quote_deposit import QuoteDeposit
from kinlink_ledger.service_layer.quote_deposit import quote_deposit

from tests.conftest import ROOT
from tests.conftest import TokenKeys
from tests.ledger_facilities import D1
from tests.ledger_facilities import book
from tests.ledger_facilities import configure_demo_facilities
from tests.streams.counting_consumer import CounterStore
from tests.streams.kafka_helpers import produce
from tests.streams.kafka_helpers import read_topic


class Tick(IntegrationEvent):
    n: int


def tick(n: int) -> bytes:
    return Envelope.wrap(Tick(n=n), key="k", producer="test", correlation_id="c").to_bytes()


def run_consumer(infra: Infra, topic: str, group: str, database: str, kill_after: int) -> str:
    """Run the counting consumer until it dies (kill_after) or has handled what there is."""
    env = {
        **os.environ,
        "KINLINK_KAFKA_BOOTSTRAP": infra.kafka_bootstrap,
        "KINLINK_POSTGRES_DSN": infra.postgres_dsn,
        "KILL_AFTER": str(kill_after),
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.streams.counting_consumer", topic, group, database],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        output, _ = process.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        process.kill()
        output, _ = process.communicate()
    return output


async def test_a_consumer_killed_before_committing_does_not_apply_an_event_twice(
    infra: Infra, fresh_database: str
) -> None:
    topic, group = f"test.ticks.{uuid.uuid4().hex[:8]}", "counting"
    await produce(infra.kafka_bootstrap, topic, [(b"k", tick(n)) for n in range(3)])

    first = run_consumer(infra, topic, group, fresh_database, kill_after=2)
    assert "handled offset=1" in first and "handled offset=2" not in first, first

    second = run_consumer(infra, topic, group, fresh_database, kill_after=2)
    # Offset 1 was applied but never committed, so Kafka delivers it again...
    assert "handled offset=1" in second and "handled offset=2" in second, second
    store = CounterStore(
        store_env(ServiceSettings(postgres_dsn=infra.postgres_dsn), fresh_database)
    )
    try:
        # ...and the tracking record makes that redelivery change nothing: 3 events, 3 ticks.
        assert store.counter().ticks == 3
    finally:
        store.close()


async def test_a_malformed_event_goes_to_the_dead_letter_topic_and_the_next_is_handled(
    infra: Infra, fresh_database: str, token_keys: TokenKeys
) -> None:
    settings = LedgerSettings(
        postgres_dsn=infra.postgres_dsn,
        database=fresh_database,
        outbox_relay=False,
        consumer_group=f"test-ledger-{uuid.uuid4().hex[:8]}",
    )
    ledger = build_ledger(settings)
    configure_demo_facilities(ledger)
    resident = f"R-{uuid.uuid4().hex[:8]}"
    book(ledger, "FAC-DEMO", resident)
    quote = quote_deposit(ledger, QuoteDeposit("FAC-DEMO", resident, D1, Cents(5000)))
    deposit = confirm_deposit(ledger, ConfirmDeposit(str(quote.id), D1, "pm_card_visa", "k"))
    malformed = b'{"type": "DepositPosted", "payload": ' + resident.encode()
    posted = Envelope.wrap(
        DepositPosted(
            deposit_id=deposit.id,
            facility_id="FAC-DEMO",
            resident_id=resident,
            posted_reference="TRUST-77",
        ),
        key=resident,
        producer="facility-FAC-DEMO",
        correlation_id="c",
        occurred_at=datetime.now(UTC),
    )
    await produce(
        infra.kafka_bootstrap,
        FACILITY_EVENTS,
        [(resident.encode(), malformed), (resident.encode(), posted.to_bytes())],
    )
    bus = KafkaBus(infra.kafka_bootstrap, client_id="test-ledger")

    async def is_posted() -> bool:
        return ledger.deposit(deposit.id).status is DepositStatus.POSTED

    async with serving([ledger_service(settings, bus, ledger)], bus, token_keys.verifier()):
        await eventually(is_posted)
        assert ledger.deposit(deposit.id).posted_reference == "TRUST-77"

    def ours(record: ConsumerRecord[bytes, bytes]) -> bool:
        # Every consumer group of the topic dead-letters what it cannot read: this test's group.
        group = dict(record.headers).get("dlq-group", b"").decode()
        return record.value == malformed and group == settings.consumer_group

    dead = await read_topic(
        infra.kafka_bootstrap,
        dead_letter_topic(FACILITY_EVENTS),
        until=lambda rs: any(ours(r) for r in rs),
    )
    letter = next(r for r in dead if ours(r))
    headers = {k: v.decode() for k, v in letter.headers}
    assert letter.key == resident.encode()
    assert headers["dlq-error-type"] == "ValidationError"
    assert headers["dlq-topic"] == FACILITY_EVENTS
    assert headers["dlq-group"] == settings.consumer_group

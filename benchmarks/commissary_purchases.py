"""`make bench`: commissary purchases consumed, on the real Kafka and PostgreSQL.

The commissary's consumer of kinlink.facility.events.v1 (as the service runs it, in this
process, on a fresh database) takes BENCH_PURCHASES (4,000) CommissaryPurchased events that a
facility published for BENCH_PURCHASE_RESIDENTS (200) residents, each with two allowances: every
purchase is paid from them oldest first (the purchase, the allowances it used and the tracking
record saved in one transaction) until they run out, then from the resident's own balance.
Printed: purchases consumed per second, from the consumer's start to the last one recorded.
Card holds are not measured here (the ledger's benchmarks do): every card is held at once.
"""

from __future__ import annotations

import asyncio
import os
import time
import uuid
from datetime import UTC
from datetime import datetime
from datetime import timedelta

from aiokafka import AIOKafkaConsumer
from aiokafka import AIOKafkaProducer
from aiokafka import TopicPartition
from kinlink_commissary.bootstrap import CommissarySettings
from kinlink_commissary.bootstrap import build_commissary
from kinlink_commissary.domain.ports import AllowanceRequest
from kinlink_commissary.domain.ports import Hold
from kinlink_commissary.entrypoints.facility_events import FACILITY_HANDLERS
from kinlink_commissary.entrypoints.identity_events import IDENTITY_HANDLERS
from kinlink_commissary.service_layer.commissary import Commissary
from kinlink_commissary.service_layer.create_allowance import CreateAllowance
from kinlink_commissary.service_layer.create_allowance import create_allowance
from kinlink_contracts.demo import DEMO_FACILITIES
from kinlink_contracts.demo import FAC_DEMO
from kinlink_contracts.demo import facility_configured
from kinlink_contracts.demo import resident_booked
from kinlink_contracts.envelope import Envelope
from kinlink_contracts.facility import CommissaryPurchased
from kinlink_contracts.topics import FACILITY_EVENTS
from kinlink_kit.bus import KafkaBus
from kinlink_kit.consumer import consume
from kinlink_kit.consumer import event_tracking
from kinlink_kit.logging import configure_logging
from prometheus_client import REGISTRY

from benchmarks.deposits import pgbench_tps
from benchmarks.harness import Tally
from benchmarks.harness import create_database
from benchmarks.harness import infra_env
from benchmarks.harness import progress
from tests.commissary_orders import MemoryLedger

PURCHASES = int(os.environ.get("BENCH_PURCHASES", "4000"))
RESIDENTS = int(os.environ.get("BENCH_PURCHASE_RESIDENTS", "200"))
# A facility reports what its residents buy as they buy it: a 2,000-resident jail whose every
# resident buys in the same hour is under one purchase a second. One consumer group (one
# partition at a time per resident) keeping twenty times ahead of that serves many such jails.
TARGET_PURCHASES = 20


class EveryCardHeld:
    def authorize(self, allowance_id: uuid.UUID, request: AllowanceRequest) -> Hold:
        return Hold(held=True)


def apply(commissary: Commissary, envelope: Envelope) -> None:
    """An identity event as the commissary's consumer applies it."""
    IDENTITY_HANDLERS[envelope.type](commissary, envelope, event_tracking(envelope.event_id))


def prepared(commissary: Commissary, facility: str, residents: list[str]) -> None:
    settings = DEMO_FACILITIES[FAC_DEMO]
    apply(commissary, facility_configured(facility, settings))
    family = uuid.uuid4()
    for resident in residents:
        apply(commissary, resident_booked(facility, resident))
        for amount in (1500, 2500):
            request = AllowanceRequest(family, facility, resident, amount, "pm_card_visa")
            create_allowance(commissary, CreateAllowance(uuid.uuid4(), request))


async def publish_purchases(
    bootstrap: str, facility: str, residents: list[str], at: datetime
) -> list[Envelope]:
    purchases = [
        Envelope.wrap(
            CommissaryPurchased(
                facility_id=facility,
                resident_id=residents[n % len(residents)],
                order_reference=f"P-{n}",
                amount_cents=300 + n % 700,
                purchased_at=at,
            ),
            key=residents[n % len(residents)],
            producer="facility",
            correlation_id="bench",
        )
        for n in range(PURCHASES)
    ]
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, enable_idempotence=True, linger_ms=5)
    await producer.start()
    try:
        sent = [
            await producer.send(FACILITY_EVENTS, p.to_bytes(), key=p.key.encode())
            for p in purchases
        ]
        await asyncio.gather(*sent)
    finally:
        await producer.stop()
    return purchases


async def skip_to_end(bootstrap: str, topic: str, group: str) -> None:
    """The group starts where the topic ends now: earlier runs' events are not this run's work."""
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap)
    await producer.start()
    try:
        partitions = [TopicPartition(topic, p) for p in await producer.partitions_for(topic)]
    finally:
        await producer.stop()
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=group)
    await consumer.start()
    try:
        consumer.assign(partitions)
        await consumer.commit(await consumer.end_offsets(partitions))
    finally:
        await consumer.stop()


async def purchases_consumed() -> tuple[float, float]:
    """(purchases per second, seconds) for PURCHASES purchases."""
    env = infra_env()
    run = uuid.uuid4().hex[:8]
    settings = CommissarySettings(
        postgres_dsn=env["KINLINK_POSTGRES_DSN"],
        database=create_database(env, "commissary"),
        kafka_bootstrap=env["KINLINK_KAFKA_BOOTSTRAP"],
        consumer_group=f"bench-commissary-{run}",
    )
    commissary = build_commissary(settings, holds=EveryCardHeld(), charges=MemoryLedger())
    facility = f"FAC-BENCH-{run}"
    residents = [f"R-{run}-{n}" for n in range(RESIDENTS)]
    now = datetime.now(UTC)
    commissary.clock = lambda: now - timedelta(hours=1)
    prepared(commissary, facility, residents)
    print(f"purchases: {PURCHASES:,} for {RESIDENTS} residents, 2 allowances each", flush=True)
    await skip_to_end(settings.kafka_bootstrap or "", FACILITY_EVENTS, settings.consumer_group)
    purchases = await publish_purchases(settings.kafka_bootstrap or "", facility, residents, now)
    # Each resident's purchases are in order on one partition: its last one recorded, all are.
    last = {p.key: p for p in purchases}.values()
    bus = KafkaBus(settings.kafka_bootstrap or "", client_id=f"bench-commissary-{run}")
    consume(commissary, bus, settings.consumer_group, {FACILITY_EVENTS: FACILITY_HANDLERS})
    before = consumed()
    started = time.perf_counter()
    await bus.start()
    tally = Tally()
    try:
        async with progress("purchases consumed", tally):
            while not all(commissary.store.has_processed(event_tracking(p.event_id)) for p in last):
                tally.done = int(consumed() - before)
                await asyncio.sleep(0.05)
    finally:
        await bus.stop()
        commissary.close()
    seconds = time.perf_counter() - started
    return PURCHASES / seconds, seconds


def consumed() -> float:
    """Facility events the consumers in this process handled so far, whatever the outcome."""
    return sum(
        sample.value
        for metric in REGISTRY.collect()
        if metric.name == "kinlink_events_consumed"
        for sample in metric.samples
        if sample.name.endswith("_total") and sample.labels.get("topic") == FACILITY_EVENTS
    )


def main() -> None:
    configure_logging("bench", "WARNING")
    ceiling = pgbench_tps(infra_env())
    rate, seconds = asyncio.run(purchases_consumed())
    print("\n== Kinlink commissary: purchases ==")
    print(
        f"purchases:       {rate:,.0f}/s consumed ({PURCHASES:,} in {seconds:.1f}s, paid from "
        f"{RESIDENTS * 2} allowances, each saved with its tracking record)  "
        f"(target >= {TARGET_PURCHASES:,})"
    )
    print(f"machine ceiling: pgbench {ceiling:,.0f} TPS (TPC-B-like, 2 clients, same server)")


if __name__ == "__main__":
    main()

"""`make bench`: messaging wallet charges, and the auditors' replay of the ledger's stream, on the
real Kafka and PostgreSQL.

Two ledger processes share one database, as replicas do:
  1. charges: WALLETS families set up their messaging subscription (the card each marked comes
     through identity's topic), then platform services charge messages to them in a closed loop
     of concurrent calls for BENCH_SECONDS: charges per second, p50 and p99;
  2. replay: once the relay has put every ledger event on the audit topic and the projections
     have applied them, the topic is read from its first offset by a plain aiokafka consume loop
     (the ceiling: it only counts records), and by `kinlink ledger replay`'s code, which decodes
     every event a view is made of (the others' states are passed over), rebuilds every
     projection in a fresh place and compares. Each read is timed from connecting to Kafka; the
     two take BENCH_READS turns once the ledgers are stopped, and each one's best read is
     reported (decision 0105).
"""

from __future__ import annotations

import asyncio
import gc
import os
import tempfile
import time
import uuid
from collections.abc import Awaitable
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import grpc
import psycopg
from aiokafka import AIOKafkaConsumer
from aiokafka import AIOKafkaProducer
from kinlink.ledger.v1 import ledger_pb2 as pb
from kinlink_contracts.envelope import Envelope
from kinlink_contracts.identity import MessagingSubscriptionCardChosen
from kinlink_contracts.topics import IDENTITY_EVENTS
from kinlink_kit.auth import Role
from kinlink_kit.progress import Progress
from kinlink_kit.views import PostgresViews
from kinlink_ledger.audit.replay import replay
from kinlink_ledger.audit.replay import viewed
from kinlink_ledger.audit.sources import kafka_batches

from benchmarks.cpu import Pids
from benchmarks.deposits import FACILITY
from benchmarks.deposits import Stubs
from benchmarks.deposits import configure_facility
from benchmarks.deposits import metadata_of
from benchmarks.deposits import pgbench_tps
from benchmarks.deposits import start_ledgers as ledger_replicas
from benchmarks.deposits import wait_facility
from benchmarks.harness import CONCURRENCY
from benchmarks.harness import RATES
from benchmarks.harness import SECONDS
from benchmarks.harness import TARGET_RSS_MB
from benchmarks.harness import Latency
from benchmarks.harness import LoopResult
from benchmarks.harness import Replicas
from benchmarks.harness import call_floor
from benchmarks.harness import closed_loop
from benchmarks.harness import create_database
from benchmarks.harness import infra_env
from benchmarks.harness import open_loop

WALLETS = int(os.environ.get("BENCH_WALLETS", "1000"))
FUNDING_CENTS = 5000  # $50.00: 100 messages at the demo facility's 50 cents
TARGET_CHARGES = 1000
READS = int(os.environ.get("BENCH_READS", "5"))  # of the audit topic, by each reader
SERVICE = metadata_of("messaging", Role.PLATFORM_SERVICE)


def start_ledgers(env: dict[str, str], database: str, audit_topic: str) -> Replicas:
    return ledger_replicas(env, database, {"KINLINK_AUDIT_TOPIC": audit_topic})


async def choose_cards(bootstrap: str, accounts: list[uuid.UUID]) -> None:
    """Identity's word that each account's card funds its subscription."""
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, enable_idempotence=True, linger_ms=5)
    await producer.start()
    try:
        for account in accounts:
            chosen = MessagingSubscriptionCardChosen(
                account_id=account, card_id=uuid.uuid4(), payment_method="pm_card_visa"
            )
            envelope = Envelope.wrap(
                chosen, key=str(account), producer="identity", correlation_id=""
            )
            await producer.send(IDENTITY_EVENTS, envelope.to_bytes(), key=str(account).encode())
        await producer.flush()
    finally:
        await producer.stop()


async def set_up_wallets(stubs: Stubs, accounts: list[uuid.UUID]) -> None:
    started = time.monotonic()
    semaphore = asyncio.Semaphore(CONCURRENCY)
    request = pb.SetUpSubscriptionRequest(facility_id=FACILITY, funding_amount_cents=FUNDING_CENTS)

    async def one(account: uuid.UUID) -> None:
        family = metadata_of(str(account), Role.FAMILY_MEMBER)
        async with semaphore:
            # Until the ledger has applied identity's event for this card: new consumer groups
            # read identity's topic from the start, one commit per event, so a topic long with
            # earlier parts' events (make bench's identity part) takes them a while.
            deadline = time.monotonic() + 600
            while True:
                try:
                    result = await stubs.next().SetUpSubscription(request, metadata=family)
                    assert result.status == pb.FUNDING_STATUS_FUNDED, result
                    return
                except Exception:
                    if time.monotonic() > deadline:
                        raise
                    await asyncio.sleep(0.2)

    for batch in range(0, len(accounts), 500):
        await asyncio.gather(*(one(a) for a in accounts[batch : batch + 500]))
        done = min(batch + 500, len(accounts))
        print(f"  wallets: {done}/{len(accounts)} ({done / (time.monotonic() - started):.0f}/s)")


def charging(stubs: Stubs, accounts: list[uuid.UUID]) -> Callable[[int], Awaitable[object]]:
    """Charge number `i`: one message to a wallet in turn, under a reference of its own."""
    run = uuid.uuid4().hex[:6]

    async def charge(i: int) -> None:
        await stubs.next().Charge(
            pb.ChargeRequest(
                account_id=str(accounts[i % len(accounts)]),
                facility_id=FACILITY,
                kind="message",
                quantity=1,
                reference=f"{run}-{i}",
            ),
            metadata=SERVICE,
            timeout=60,
        )

    return charge


async def charges(
    stubs: Stubs, accounts: list[uuid.UUID], cpu_groups: dict[str, Pids] | None = None
) -> LoopResult:
    print(f"charges: {CONCURRENCY} concurrent for {SECONDS:.0f}s over {len(accounts)} wallets")
    limit = len(accounts) * (FUNDING_CENTS // 50) // 2  # the other half for the latency phases
    result = await closed_loop(
        "charged", charging(stubs, accounts), limit=limit, watched=cpu_groups
    )
    if result.failures:
        raise RuntimeError(f"charges failed: {dict(result.failures)}")
    return result


async def charge_latency(stubs: Stubs, accounts: list[uuid.UUID], rate: int) -> Latency:
    """Charges offered at `rate` per second for SECONDS (open loop)."""
    print(f"charge latency: {rate}/s offered for {SECONDS:.0f}s", flush=True)
    return await open_loop(charging(stubs, accounts), rate, int(rate * SECONDS))


def stored_events(dsn: str) -> tuple[int, int]:
    """How many events the ledger stored, and the last one's position."""
    with psycopg.connect(dsn) as conn:
        row = conn.execute(
            "SELECT count(*), coalesce(max(notification_id), 0) FROM ledger_events"
        ).fetchone()
        assert row is not None
        return int(row[0]), int(row[1])


async def settle(env: dict[str, str], database: str, topic: str) -> int:
    """Until every stored event is on the audit topic and applied by every projection."""
    dsn = env["KINLINK_POSTGRES_DSN"].replace("{database}", database)
    events, last = stored_events(dsn)
    views = PostgresViews(dsn, 2)
    deadline = time.monotonic() + 300
    try:
        while True:
            published = await topic_records(env["KINLINK_KAFKA_BOOTSTRAP"], topic)
            positions = views.query("SELECT min(position) AS p FROM view_positions")
            caught_up = bool(positions) and positions[0]["p"] == last
            print(f"  audit topic: {published}/{events} events; projections caught up: {caught_up}")
            if published >= events and caught_up:
                return events
            if time.monotonic() > deadline:
                raise RuntimeError("the relay or the projections are stuck")
            await asyncio.sleep(1)
    finally:
        views.close()


async def topic_records(bootstrap: str, topic: str) -> int:
    """How many records the topic holds (the sum of its partitions' end offsets)."""
    consumer = AIOKafkaConsumer(topic, bootstrap_servers=bootstrap, group_id=None)
    await consumer.start()
    try:
        for _ in range(20):  # without a group, the consumer is given every partition
            if consumer.assignment():
                break
            await asyncio.sleep(0.25)
        ends = await consumer.end_offsets(list(consumer.assignment()))
        return sum(ends.values())
    finally:
        await consumer.stop()


async def plain_consume(bootstrap: str, topic: str, expected: int) -> float:
    """The ceiling: records per second an aiokafka loop reads the topic with, doing nothing.
    Timed from connecting to the last record, as the replay's reading is."""
    progress = Progress("records consumed")
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        group_id=None,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        max_partition_fetch_bytes=8 * 1024 * 1024,
    )
    await consumer.start()
    try:
        while progress.count < expected:
            fetched = await consumer.getmany(timeout_ms=1000, max_records=5000)
            progress.add(sum(len(records) for records in fetched.values()))
        progress.finish()
        return progress.count / progress.seconds
    finally:
        await consumer.stop()


async def replay_rate(env: dict[str, str], database: str, topic: str) -> tuple[float, bool]:
    dsn = env["KINLINK_POSTGRES_DSN"].replace("{database}", database)
    live = PostgresViews(dsn, 2)
    progress = Progress("events replayed")
    try:
        with tempfile.TemporaryDirectory(prefix="kinlink-bench-replay-") as folder:
            batches = kafka_batches(env["KINLINK_KAFKA_BOOTSTRAP"], topic, stated=viewed)
            report = await replay(batches, live, Path(folder), progress)
    finally:
        live.close()
    return report.events / report.rebuild_seconds, report.ok


@dataclass
class Reads:
    """Rates of several reads of one topic. A read of the benchmark's topic takes the plain loop
    about a tenth of a second, in which a wait for the CPU (two cores, shared with the other
    processes of the machine) can halve its rate: the best read is what a reader does when not
    kept waiting, and what both readers are compared by."""

    rates: list[float]

    @property
    def best(self) -> float:
        return max(self.rates)

    def describe(self, unit: str) -> str:
        return (
            f"{self.best:,.0f} {unit}/s (best of {len(self.rates)} reads, the others from "
            f"{min(self.rates):,.0f})"
        )


async def read_topic(
    env: dict[str, str], database: str, topic: str, events: int
) -> tuple[Reads, Reads, bool]:
    """The plain loop's and the replay's rates, read in turns so that both meet the same load,
    and whether every replay equalled live. Each read starts with what the process holds set
    aside from the garbage collector: otherwise a full collection of this process's heap (gRPC,
    the earlier parts' results), set off by a read's allocations every few reads, takes as long
    as a plain read, and is neither reader's cost."""
    plain, replayed, equal = Reads([]), Reads([]), True
    for _ in range(READS):
        _set_aside_from_collector()
        plain.rates.append(await plain_consume(env["KINLINK_KAFKA_BOOTSTRAP"], topic, events))
        _set_aside_from_collector()
        rate, equal_this_time = await replay_rate(env, database, topic)
        replayed.rates.append(rate)
        equal = equal and equal_this_time
    return plain, replayed, equal


def _set_aside_from_collector() -> None:
    gc.collect()
    gc.freeze()


async def main() -> None:
    env = infra_env()
    pgbench = pgbench_tps(env)
    database = create_database(env, "wallet")
    topic = f"kinlink.ledger.audit.bench-{uuid.uuid4().hex[:8]}"
    accounts = [uuid.uuid4() for _ in range(WALLETS)]
    ledgers = start_ledgers(env, database, topic)
    try:
        await configure_facility(env["KINLINK_KAFKA_BOOTSTRAP"])
        await choose_cards(env["KINLINK_KAFKA_BOOTSTRAP"], accounts)
        for ledger in ledgers.all:
            await ledger.wait_serving()
            await wait_facility(ledger)
        channels = [grpc.aio.insecure_channel(ledger.address) for ledger in ledgers.answering]
        stubs = Stubs(channels)
        await set_up_wallets(stubs, accounts)
        floor = await call_floor(channels, ledgers.cpu_groups(env))
        charged = await charges(stubs, accounts, ledgers.cpu_groups(env))
        latencies = [await charge_latency(stubs, accounts, offered) for offered in RATES]
        for channel in channels:
            await channel.close()
        print("replay: waiting for the relay and the projections")
        events = await settle(env, database, topic)
    finally:
        ledger_rss = ledgers.stop()
    # With the ledgers stopped: their idle work shares the two cores with the reads.
    ceiling, replayed, equal = await read_topic(env, database, topic, events)
    print("\n== Kinlink messaging wallet and auditors' replay (real Kafka and PostgreSQL) ==")
    print(f"call floor:      {floor}")
    print(
        f"wallet charges:  {charged.rate:,.0f}/s over {SECONDS:.0f}s, {charged.latency()}, "
        f"{charged.completed:,} charged on {WALLETS:,} wallets; ledgers: {ledgers.describe()}  "
        f"(target >= {TARGET_CHARGES})"
    )
    print(f"CPU per charge:  {charged.cpu_per_call()}")
    for offered in latencies:
        print(f"charge latency:  {offered.describe()}")
    print(f"machine ceiling: pgbench {pgbench:,.0f} TPS (TPC-B-like, 2 clients, same server)")
    print(f"plain consume:   {ceiling.describe('records')}, aiokafka loop over the audit topic")
    print(
        f"replay:          {replayed.describe('events')} from Kafka, {events:,} events, "
        f"{replayed.best / ceiling.best:.0%} of plain consume  (target >= 50%); "
        f"replay equals live: {equal}"
    )
    print(
        f"peak memory:     ledgers {', '.join(f'{r:.0f}' for r in ledger_rss)} MB  "
        f"(target < {TARGET_RSS_MB} MB per service)"
    )


if __name__ == "__main__":
    asyncio.run(main())

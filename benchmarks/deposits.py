"""`make bench`: the deposit pipeline on the real Kafka and PostgreSQL, next to the machine's
own ceiling (pgbench on the same PostgreSQL).

One ledger process (gRPC, event store on PostgreSQL, outbox relay to Kafka, simulated card
processor) is driven by this process over gRPC:
  1. throughput: a closed loop of concurrent confirmations for BENCH_SECONDS;
  2. latency: confirmations offered at 200 and at 500 per second (BENCH_RATES; open loops), p50
     and p99 of each;
  3. the outbox: how long after the last confirmation every event of the run is on Kafka.
Quotes are made before each phase; only confirmations are timed. Every call carries a family
member's access token, signed here with a key made for the run, as the identity service would.
"""

from __future__ import annotations

import asyncio
import functools
import itertools
import json
import os
import re
import subprocess
import time
import uuid
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from pathlib import Path

import grpc
from aiokafka import AIOKafkaConsumer
from aiokafka import AIOKafkaProducer
from aiokafka import TopicPartition
from kinlink.ledger.v1 import ledger_pb2 as pb
from kinlink.ledger.v1 import ledger_pb2_grpc
from kinlink_contracts.demo import DEMO_FACILITIES
from kinlink_contracts.demo import FAC_DEMO
from kinlink_contracts.demo import card_added
from kinlink_contracts.demo import facility_configured
from kinlink_contracts.demo import resident_booked
from kinlink_contracts.envelope import Envelope
from kinlink_contracts.topics import IDENTITY_EVENTS
from kinlink_contracts.topics import LEDGER_EVENTS
from kinlink_identity.adapters.token_signer import TokenSigner
from kinlink_identity.adapters.token_signer import generate_key_pair
from kinlink_kit.auth import Principal
from kinlink_kit.auth import Role

from benchmarks.cpu import Pids
from benchmarks.harness import CONCURRENCY
from benchmarks.harness import RATES
from benchmarks.harness import SECONDS
from benchmarks.harness import TARGET_RSS_MB
from benchmarks.harness import Latency
from benchmarks.harness import Replicas
from benchmarks.harness import ServiceProcess
from benchmarks.harness import call_floor
from benchmarks.harness import closed_loop
from benchmarks.harness import create_database
from benchmarks.harness import infra_env
from benchmarks.harness import open_loop
from benchmarks.harness import peak_rss_mb

# Ledger processes sharing one database, as replicas do; the one they elect relays to Kafka.
LEDGERS = int(os.environ.get("BENCH_LEDGERS", "2"))
RESIDENTS = 2000  # spread over many residents, as real traffic is: one week each
PHASES = ("throughput", "latency")  # each deposits to residents of its own
FAMILIES = 5000
# The demo facility's settings under a name of this run's: the ledgers read identity's topic from
# its start, where earlier runs may have configured the demo facility otherwise.
FACILITY = f"FAC-BENCH-{uuid.uuid4().hex[:8]}"
PRIVATE_KEY, PUBLIC_KEY = generate_key_pair()
KEY_ID = "bench"
SIGNER = TokenSigner(PRIVATE_KEY, key_id=KEY_ID)
TARGET_RATE = 1000


@functools.cache
def metadata_of(account_id: str, role: Role) -> list[tuple[str, str]]:
    """Call metadata of an account signed in with `role` for the whole run."""
    principal = Principal(account_id, frozenset({role}))
    token = SIGNER.access_token(principal, timedelta(hours=2), datetime.now(UTC))
    return [("authorization", f"Bearer {token}")]


def family_account(i: int) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"kinlink-bench/family-{i}"))


def family(i: int) -> list[tuple[str, str]]:
    """Call metadata of family member number `i`."""
    return metadata_of(family_account(i), Role.FAMILY_MEMBER)


def pgbench_tps(env: dict[str, str]) -> float:
    """TPS of pgbench's default TPC-B-like transaction, 2 clients, on the same server."""
    dsn = env["KINLINK_POSTGRES_DSN"].replace("{database}", "kinlink_bench")
    bin_dir = Path("/usr/lib/postgresql/15/bin")
    print("pgbench: initialising (scale 10) ...", flush=True)
    subprocess.run(
        [bin_dir / "pgbench", "-i", "-q", "-s", "10", dsn], check=True, capture_output=True
    )
    print(f"pgbench: 2 clients for {SECONDS:.0f}s, progress every 5s", flush=True)
    run = subprocess.run(
        [bin_dir / "pgbench", "-c", "2", "-j", "2", "-T", str(int(SECONDS)), "-P", "5", dsn],
        check=True,
        capture_output=True,
        text=True,
    )
    for line in run.stderr.splitlines():
        if line.startswith("progress:"):
            print(f"  {line}", flush=True)
    match = re.search(r"tps = ([\d.]+)", run.stdout)
    assert match, run.stdout
    return float(match.group(1))


def start_ledgers(env: dict[str, str], database: str, settings: dict[str, str]) -> Replicas:
    return Replicas.start(
        "kinlink_ledger.entrypoints.main",
        env,
        database,
        {"KINLINK_JWT_PUBLIC_KEYS": json.dumps({KEY_ID: PUBLIC_KEY}), **settings},
        LEDGERS,
    )


async def wait_facility(ledger: ServiceProcess) -> None:
    """Until the ledger has what identity published for the run (the last of it, a booking)."""
    deadline = time.monotonic() + 120
    request = pb.QuoteDepositRequest(
        facility_id=FACILITY, resident_id=resident(PHASES[-1], RESIDENTS - 1), amount_cents=100
    )
    async with grpc.aio.insecure_channel(ledger.address) as channel:
        while time.monotonic() < deadline:
            try:
                await ledger_pb2_grpc.LedgerServiceStub(channel).QuoteDeposit(
                    request, metadata=family(0)
                )
                return
            except grpc.aio.AioRpcError as error:
                if error.code() != grpc.StatusCode.NOT_FOUND:
                    raise
            await asyncio.sleep(0.2)
    raise RuntimeError("the ledger never heard of the facility")


class Stubs:
    """Calls spread over the ledger processes in turn."""

    def __init__(self, channels: list[grpc.aio.Channel]) -> None:
        self._stubs = itertools.cycle([ledger_pb2_grpc.LedgerServiceStub(c) for c in channels])

    def next(self) -> ledger_pb2_grpc.LedgerServiceStub:
        return next(self._stubs)


def resident(phase: str, i: int) -> str:
    return f"R-{phase}-{i}"


async def configure_facility(bootstrap: str) -> None:
    """Publish what identity would as an operator configures the facility and books its residents
    and the families add their cards; on one partition, so the last booking comes last."""
    events = [
        facility_configured(FACILITY, DEMO_FACILITIES[FAC_DEMO]),
        *(card_added(family_account(i), "pm_card_visa") for i in range(FAMILIES)),
        *(
            resident_booked(FACILITY, resident(phase, i))
            for phase in PHASES
            for i in range(RESIDENTS)
        ),
    ]
    await publish_identity_events(bootstrap, events)


async def publish_identity_events(bootstrap: str, events: list[Envelope]) -> None:
    """On identity's topic, in order, on the run facility's partition."""
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, enable_idempotence=True)
    await producer.start()
    try:
        for event in events:
            await producer.send(IDENTITY_EVENTS, event.to_bytes(), key=FACILITY.encode())
        await producer.flush()
    finally:
        await producer.stop()


Quote = tuple[str, list[tuple[str, str]]]  # its id, and its depositor's call metadata


async def make_quotes(stubs: Stubs, count: int, phase: str) -> list[Quote]:
    """Quotes of $1-$20 spread over many residents, made ahead of the timed phase."""
    semaphore = asyncio.Semaphore(CONCURRENCY)

    async def one(i: int) -> Quote:
        depositor = family(i % FAMILIES)
        async with semaphore:
            quote = await stubs.next().QuoteDeposit(
                pb.QuoteDepositRequest(
                    facility_id=FACILITY,
                    resident_id=resident(phase, i % RESIDENTS),
                    amount_cents=100 + i % 1900,
                ),
                metadata=depositor,
            )
            return quote.quote_id, depositor

    started = time.monotonic()
    quotes = []
    for batch in range(0, count, 1000):
        quotes += await asyncio.gather(*(one(i) for i in range(batch, min(batch + 1000, count))))
        elapsed = time.monotonic() - started
        print(f"  quotes: {len(quotes)}/{count} ({len(quotes) / elapsed:.0f}/s)", flush=True)
    return quotes


async def confirm(stubs: Stubs, quote: Quote) -> float:
    quote_id, depositor = quote
    started = time.perf_counter()
    deposit = await stubs.next().ConfirmDeposit(
        pb.ConfirmDepositRequest(
            quote_id=quote_id, payment_method="pm_card_visa", idempotency_key=quote_id
        ),
        metadata=depositor,
        timeout=60,
    )
    assert deposit.status == pb.DEPOSIT_STATUS_CAPTURED, deposit
    return time.perf_counter() - started


async def throughput(stubs: Stubs, cpu_groups: dict[str, Pids]) -> tuple[float, int, str]:
    """Confirmations per second in a closed loop, how many, and the CPU each cost by process."""
    quotes = await make_quotes(stubs, int(SECONDS * 1500), "throughput")
    print(f"throughput: {CONCURRENCY} concurrent confirmations for {SECONDS:.0f}s", flush=True)
    result = await closed_loop(
        "confirmed", lambda i: confirm(stubs, quotes[i]), limit=len(quotes), watched=cpu_groups
    )
    if result.failures:
        raise RuntimeError(f"confirmations failed: {dict(result.failures)}")
    return result.rate, result.completed, result.cpu_per_call()


async def latency(stubs: Stubs, rate: int) -> Latency:
    """Confirmations offered at `rate` per second for SECONDS (open loop)."""
    quotes = await make_quotes(stubs, int(rate * SECONDS), "latency")
    print(f"latency: {rate}/s offered for {SECONDS:.0f}s", flush=True)
    return await open_loop(lambda i: confirm(stubs, quotes[i]), rate, len(quotes))


async def topic_size(bootstrap: str) -> int:
    """How many records kinlink.ledger.events.v1 holds in all (sum of end offsets)."""
    consumer = AIOKafkaConsumer(LEDGER_EVENTS, bootstrap_servers=bootstrap)
    await consumer.start()
    try:
        partitions = consumer.partitions_for_topic(LEDGER_EVENTS) or set()
        ends = await consumer.end_offsets([TopicPartition(LEDGER_EVENTS, p) for p in partitions])
        return sum(ends.values())
    finally:
        await consumer.stop()


async def outbox_lag(bootstrap: str, expected_size: int) -> float:
    """Seconds from now until Kafka holds `expected_size` records on the ledger's topic."""
    started = time.monotonic()
    while (size := await topic_size(bootstrap)) < expected_size:
        if time.monotonic() - started > 120:
            raise RuntimeError(f"the outbox relay is stuck at {size} of {expected_size}")
        await asyncio.sleep(0.05)
    return time.monotonic() - started


async def main() -> None:
    env = infra_env()
    ceiling = pgbench_tps(env)
    database = create_database(env, "ledger")
    ledgers = start_ledgers(env, database, {})
    try:
        await configure_facility(env["KINLINK_KAFKA_BOOTSTRAP"])
        for ledger in ledgers.all:
            await ledger.wait_serving()
            await wait_facility(ledger)
        channels = [grpc.aio.insecure_channel(ledger.address) for ledger in ledgers.answering]
        stubs = Stubs(channels)
        size_before = await topic_size(env["KINLINK_KAFKA_BOOTSTRAP"])
        floor = await call_floor(channels, ledgers.cpu_groups(env))
        rate, confirmed, cpu = await throughput(stubs, ledgers.cpu_groups(env))
        latencies = [await latency(stubs, rate) for rate in RATES]
        confirmed += sum(offered.completed for offered in latencies)
        # Each confirmation publishes DepositRequested and DepositCaptured.
        lag = await outbox_lag(env["KINLINK_KAFKA_BOOTSTRAP"], size_before + 2 * confirmed)
        for channel in channels:
            await channel.close()
    finally:
        ledger_rss = ledgers.stop()
    driver_rss = peak_rss_mb(os.getpid())
    print("\n== Kinlink deposit pipeline (real Kafka and PostgreSQL, simulated processor) ==")
    print(f"machine ceiling: pgbench {ceiling:,.0f} TPS (TPC-B-like, 2 clients, same server)")
    print(f"ledgers:         {ledgers.describe()}, on one database")
    print(f"call floor:      {floor}")
    print(
        f"confirmations:   {rate:,.0f}/s sustained over {SECONDS:.0f}s  (target >= {TARGET_RATE})"
    )
    print(f"CPU per confirmation: {cpu}")
    for offered in latencies:
        print(f"confirm latency: {offered.describe()}")
    print(f"outbox:          every event on Kafka {lag * 1000:.0f} ms after the last confirmation")
    print(
        f"peak memory:     ledgers {', '.join(f'{r:.0f}' for r in ledger_rss)} MB, "
        f"load driver {driver_rss:.0f} MB  "
        f"(target < {TARGET_RSS_MB} MB per service)"
    )


if __name__ == "__main__":
    asyncio.run(main())

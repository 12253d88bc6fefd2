"""`make bench`: connected video visits charged per minute through the real ledger, on the real
Kafka and PostgreSQL, next to the ledger's own ceiling.

An identity process (where visitation signs in with its service account) and ledger processes
sharing one database, as in the messaging benchmark; the facility comes through identity's
topic and each family's wallet is funded through the ledger. Visitation runs here, on a
database of its own, with the meter as its sweep runs it (one replica leads it):
  1. visits: BENCH_VISITS (200) remote visits connected at once, saved in one transaction;
  2. the meter: each round the visits' clock moves one minute on, so the meter charges one
     minute of every visit (a ledger Charge and the visit's record of it), its visits
     KINLINK_VISIT_METER_CONCURRENCY at a time; rounds run for BENCH_SECONDS: minutes charged
     per second, with progress, and what it means: how many visits in progress one meter keeps
     charged on time (a visit needs a charge a minute);
  3. the ceiling: the ledger's Charge of a minute called from the same process for
     BENCH_SECONDS, one at a time and as many at a time as the meter charges visits
     (KINLINK_VISIT_METER_CONCURRENCY).
"""

from __future__ import annotations

import asyncio
import itertools
import os
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from pathlib import Path

import grpc
from kinlink_contracts.demo import DEMO_FACILITIES
from kinlink_contracts.demo import FAC_DEMO
from kinlink_contracts.demo import facility_configured
from kinlink_kit.progress import Progress
from kinlink_visitation.adapters.simulated_rooms import SimulatedRooms
from kinlink_visitation.bootstrap import VisitationSettings
from kinlink_visitation.bootstrap import build_visitation
from kinlink_visitation.domain.visit import Side
from kinlink_visitation.domain.visit import Visit
from kinlink_visitation.domain.visit import VisitKind
from kinlink_visitation.domain.wallet import ONE_MINUTE
from kinlink_visitation.service_layer.meter import meter_visits
from kinlink_visitation.service_layer.visitation import Visitation
from pydantic import SecretStr

from benchmarks.deposits import FACILITY
from benchmarks.deposits import Stubs
from benchmarks.deposits import publish_identity_events
from benchmarks.harness import SECONDS
from benchmarks.harness import counting
from benchmarks.harness import create_database
from benchmarks.harness import infra_env
from benchmarks.messaging import SERVICE_EMAIL
from benchmarks.messaging import SERVICE_PASSWORD
from benchmarks.messaging import start_identity
from benchmarks.wallet import FUNDING_CENTS
from benchmarks.wallet import choose_cards
from benchmarks.wallet import set_up_wallets
from benchmarks.wallet import start_ledgers

VISITS = int(os.environ.get("BENCH_VISITS", "200"))
MINUTE_CENTS = DEMO_FACILITIES[FAC_DEMO].video_price_per_minute_cents
# The longest slot a facility may offer: the rounds must fit in the visits' window.
SLOT_MINUTES = 120
SWEEP_SECONDS = VisitationSettings.model_fields["visit_meter_seconds"].default
CONCURRENCY = VisitationSettings.model_fields["visit_meter_concurrency"].default
TARGET_MINUTES = 100  # per second: 6,000 visits in progress kept charged on time


class MovedClock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def connected_visits(visitation: Visitation, accounts: list[uuid.UUID], at: datetime) -> None:
    visits = []
    for i, account in enumerate(accounts):
        visit = Visit.schedule(
            uuid.uuid4(),
            account_id=account,
            facility_id=FACILITY,
            resident_id=f"R-video-{i}",
            kind=VisitKind.REMOTE,
            station=1 + i % 8,
            starts_at=at,
            slot_minutes=SLOT_MINUTES,
            price_per_minute_cents=MINUTE_CENTS,
            facility_time_zone="America/Chicago",
            at=at - timedelta(days=1),
        )
        visit.joined(Side.VISITOR, at)
        visit.joined(Side.STATION, at)
        visits.append(visit)
    visitation.store.save(*visits)


def meter_rounds(visitation: Visitation, clock: MovedClock, started: datetime) -> tuple[int, float]:
    """Rounds of the meter, each a minute later, for BENCH_SECONDS: minutes charged, seconds."""
    began, minute, charged = time.perf_counter(), 0, 0
    print(
        f"meter: {VISITS} visits in progress, {CONCURRENCY} at a time, a round a visit-minute, "
        f"for {SECONDS:.0f}s"
    )
    with counting("minutes charged", lambda: charged):
        while time.perf_counter() - began < SECONDS and minute < SLOT_MINUTES - 1:
            minute += 1
            clock.now = started + timedelta(minutes=minute - 1, seconds=1)
            metered = meter_visits(visitation, CONCURRENCY)
            if metered.minutes_charged != VISITS:
                raise RuntimeError(f"round {minute}: {metered} for {VISITS} visits")
            charged += metered.minutes_charged
    return charged, time.perf_counter() - began


def ledger_ceiling(visitation: Visitation, accounts: list[uuid.UUID], at_once: int) -> float:
    """The ledger's Charge of one minute, `at_once` calls at a time, as the meter calls it."""
    progress = Progress(f"minutes charged straight through the ledger, {at_once} at a time")
    run, lock = uuid.uuid4().hex[:8], threading.Lock()

    def charging(caller: int) -> None:
        for n in itertools.count():
            if progress.seconds >= SECONDS:
                return
            account = accounts[(caller * 7919 + n) % len(accounts)]
            reference = f"bench:{run}:{caller}:{n}"
            visitation.wallet.charge(account, FACILITY, ONE_MINUTE, reference)
            with lock:
                progress.add(1)

    with ThreadPoolExecutor(at_once) as pool:
        list(pool.map(charging, range(at_once)))
    progress.finish()
    return progress.rate


async def main() -> None:
    env = infra_env()
    bootstrap = env["KINLINK_KAFKA_BOOTSTRAP"]
    visitors = [uuid.uuid4() for _ in range(VISITS)]
    # The ceiling's own wallets, funded for as many minutes as the meter could ever charge.
    ceiling = [uuid.uuid4() for _ in range(VISITS)]
    data_dir = tempfile.TemporaryDirectory(prefix="kinlink-bench-visits-")
    identity = start_identity(env, create_database(env, "identity"), Path(data_dir.name))
    audit_topic = f"kinlink.ledger.audit.bench-{uuid.uuid4().hex[:8]}"
    ledgers = start_ledgers(env, create_database(env, "wallet"), audit_topic)
    try:
        await publish_identity_events(
            bootstrap, [facility_configured(FACILITY, DEMO_FACILITIES[FAC_DEMO])]
        )
        await choose_cards(bootstrap, visitors + ceiling)
        for process in [identity, *ledgers.all]:
            await process.wait_serving()
        channels = [grpc.aio.insecure_channel(ledger.address) for ledger in ledgers.answering]
        await set_up_wallets(Stubs(channels), visitors + ceiling)
        for channel in channels:
            await channel.close()
        settings = VisitationSettings(
            postgres_dsn=env["KINLINK_POSTGRES_DSN"],
            database=create_database(env, "visitation"),
            kafka_bootstrap=None,
            ledger_target=ledgers.answering[0].address,
            identity_target=identity.address,
            service_account_email=SERVICE_EMAIL,
            service_account_password=SecretStr(SERVICE_PASSWORD),
        )
        clock = MovedClock(datetime.now(UTC))
        visitation = build_visitation(settings, rooms=SimulatedRooms(clock))
        visitation.clock = clock
        started = clock.now
        connected_visits(visitation, visitors, started)
        charged, seconds = await asyncio.to_thread(meter_rounds, visitation, clock, started)
        straight = await asyncio.to_thread(ledger_ceiling, visitation, ceiling, 1)
        straight_together = await asyncio.to_thread(
            ledger_ceiling, visitation, ceiling, CONCURRENCY
        )
        visitation.close()
    finally:
        for process in [*ledgers.all, identity]:
            process.stop()
        data_dir.cleanup()
    rate = charged / seconds
    print("\n== Kinlink video visits charged per minute (real Kafka and PostgreSQL) ==")
    print(
        f"meter:           {rate:,.0f} minutes charged/s over {seconds:.1f}s, {charged:,} "
        f"minutes of {VISITS} visits ({CONCURRENCY} at a time), each a ledger Charge and the "
        f"visit's record  "
        f"(target >= {TARGET_MINUTES})"
    )
    print(
        f"  so:            one meter keeps {rate * 60:,.0f} visits in progress charged on time "
        f"(a charge a minute each; a sweep every {SWEEP_SECONDS:.0f}s)"
    )
    print(
        f"  ceiling:       the ledger's Charge alone, one at a time, {straight:,.0f}/s; "
        f"{CONCURRENCY} at a time, {straight_together:,.0f}/s (the meter reaches "
        f"{rate / straight_together:.0%} of it)"
    )
    print(f"funding:         ${FUNDING_CENTS / 100:.2f} a wallet, {MINUTE_CENTS} cents a minute")


if __name__ == "__main__":
    asyncio.run(main())

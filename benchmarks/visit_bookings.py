"""`make bench`: video visits booked, on the real PostgreSQL.

Visitation's ScheduleVisit use case (as the service runs it, in this process, on a fresh
database) books BENCH_VISITS (2,000) visits from BENCH_BOOKING_THREADS (8) threads at one
facility with 20 stations: every slot of a day taken by 20 residents at once, day after day. Each
booking reads and saves the visit with the calendars of its station, resident and visitor in one
transaction, so bookings of one facility-day meet on its stations' calendar and retry there
(decision 0064): the figure is the throughput of that hot spot. Then the same threads all ask
for the same few slots at once: one booking per station wins, the others are refused with their
reason. Printed: bookings per second and their latency, refusals per second, next to pgbench's.
"""

from __future__ import annotations

import os
import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import time as clock_time
from datetime import timedelta
from zoneinfo import ZoneInfo

from kinlink_contracts.demo import DEMO_FACILITIES
from kinlink_contracts.demo import FAC_DEMO
from kinlink_contracts.demo import facility_configured
from kinlink_contracts.demo import resident_booked
from kinlink_contracts.envelope import Envelope
from kinlink_contracts.facility_settings import VisitingWindow
from kinlink_contracts.facility_settings import Weekday
from kinlink_kit.consumer import event_tracking
from kinlink_kit.errors import ClientError
from kinlink_kit.logging import configure_logging
from kinlink_visitation.bootstrap import VisitationSettings
from kinlink_visitation.bootstrap import build_visitation
from kinlink_visitation.domain.visit import VisitKind
from kinlink_visitation.entrypoints.identity_events import IDENTITY_HANDLERS
from kinlink_visitation.service_layer.schedule_visit import ScheduleVisit
from kinlink_visitation.service_layer.schedule_visit import schedule_visit
from kinlink_visitation.service_layer.visitation import Visitation
from prometheus_client import REGISTRY
from pydantic import SecretStr

from benchmarks.deposits import pgbench_tps
from benchmarks.harness import counting
from benchmarks.harness import create_database
from benchmarks.harness import infra_env
from benchmarks.harness import percentiles

VISITS = int(os.environ.get("BENCH_VISITS", "2000"))
THREADS = int(os.environ.get("BENCH_BOOKING_THREADS", "8"))
STATIONS = 20
SLOT = timedelta(minutes=30)
# Two windows of three hours: 12 half-hour slots a day, each for 20 residents at once.
HOURS = ((clock_time(8), clock_time(11)), (clock_time(13), clock_time(16)))
SLOTS_A_DAY = 12
RESIDENTS = STATIONS * 10
# A 2,000-resident prison whose every resident has two visits a week books about 570 a day,
# within the day's visiting hours: well under one a second. Ten a second serves many of them.
TARGET_BOOKINGS = 10
BOOKED = "kinlink_visitation_visits_booked_total"


def apply(visitation: Visitation, envelope: Envelope) -> None:
    """An identity event as visitation's consumer applies it."""
    IDENTITY_HANDLERS[envelope.type](visitation, envelope, event_tracking(envelope.event_id))


def prepared(visitation: Visitation, facility: str, residents: list[str]) -> None:
    settings = DEMO_FACILITIES[FAC_DEMO].model_copy(
        update={
            "visiting_hours": tuple(
                VisitingWindow(day=day, opens=opens, closes=closes)
                for day in Weekday
                for opens, closes in HOURS
            ),
            "video_stations": STATIONS,
            "video_booking_lead_minutes": 0,
            "video_booking_horizon_days": 90,
        }
    )
    apply(visitation, facility_configured(facility, settings))
    for resident in residents:
        apply(visitation, resident_booked(facility, resident))


def slot_start(zone: ZoneInfo, first_day: date, slot: int) -> datetime:
    """The start of slot number `slot`, counted from the first day's first: SLOTS_A_DAY a day."""
    day = first_day + timedelta(days=slot // SLOTS_A_DAY)
    window, offset = divmod(slot % SLOTS_A_DAY, SLOTS_A_DAY // len(HOURS))
    opens = datetime.combine(day, HOURS[window][0], zone)
    return (opens + offset * SLOT).astimezone(UTC)


def book_all(
    visitation: Visitation, facility: str, residents: list[str], requests: list[tuple[int, int]]
) -> tuple[float, list[float], Counter[str]]:
    """Books (slot number, resident number) pairs from THREADS threads: (seconds, latencies
    in ms, refusals by code)."""
    zone = ZoneInfo(DEMO_FACILITIES[FAC_DEMO].time_zone)
    first_day = visitation.clock().astimezone(zone).date() + timedelta(days=1)
    latencies: list[float] = []
    refusals: Counter[str] = Counter()
    lock = threading.Lock()

    def book(request: tuple[int, int]) -> None:
        slot, resident = request
        command = ScheduleVisit(
            uuid.uuid4(),
            facility,
            residents[resident],
            VisitKind.REMOTE,
            slot_start(zone, first_day, slot),
            30,
        )
        begun = time.perf_counter()
        try:
            schedule_visit(visitation, uuid.uuid4(), command)
        except ClientError as refusal:
            with lock:
                refusals[refusal.code] += 1
            return
        with lock:
            latencies.append((time.perf_counter() - begun) * 1000)

    started = time.perf_counter()
    with ThreadPoolExecutor(THREADS) as pool:
        list(pool.map(book, requests))
    return time.perf_counter() - started, latencies, refusals


def booked_so_far() -> float:
    return REGISTRY.get_sample_value(BOOKED, {"how": "scheduled"}) or 0.0


def main() -> None:
    configure_logging("bench", "WARNING")
    ceiling = pgbench_tps(infra_env())
    env = infra_env()
    run = uuid.uuid4().hex[:8]
    settings = VisitationSettings(
        postgres_dsn=env["KINLINK_POSTGRES_DSN"],
        database=create_database(env, "visitation"),
        kafka_bootstrap=None,
        postgres_pool_size=THREADS + 2,
        # Bookings charge nothing: the service account never signs in.
        service_account_email="visitation@bench.kinlink.example",
        service_account_password=SecretStr("unused"),
    )
    visitation = build_visitation(settings)
    facility = f"FAC-BENCH-{run}"
    residents = [f"R-{run}-{n}" for n in range(RESIDENTS)]
    prepared(visitation, facility, residents)
    print(f"visits: {VISITS:,} from {THREADS} threads, {STATIONS} stations", flush=True)
    # Each slot asked for by STATIONS residents, other ones each day.
    spread = [
        (n // STATIONS, n % STATIONS + n // (STATIONS * SLOTS_A_DAY) % 10 * STATIONS)
        for n in range(VISITS)
    ]
    try:
        with counting("visits booked", booked_so_far):
            seconds, latencies, refused = book_all(visitation, facility, residents, spread)
        # Every thread at once for the first free slots of the next day: STATIONS win each.
        rush_first = (VISITS // STATIONS // SLOTS_A_DAY + 1) * SLOTS_A_DAY
        rush = [(rush_first + n % 2, n % RESIDENTS) for n in range(THREADS * 25)]
        rush_seconds, rush_latencies, rush_refused = book_all(visitation, facility, residents, rush)
    finally:
        visitation.close()
    p50, p99 = percentiles(latencies)
    print("\n== Kinlink visitation: bookings ==")
    print(
        f"bookings:        {len(latencies) / seconds:,.0f}/s ({len(latencies):,} in "
        f"{seconds:.1f}s, p50 {p50:.1f} ms, p99 {p99:.1f} ms; each saved with 3 calendars; "
        f"refused: {dict(refused) or 'none'})  (target >= {TARGET_BOOKINGS:,})"
    )
    print(
        f"rush:            {len(rush):,} asks for 2 slots in {rush_seconds:.1f}s: "
        f"{len(rush_latencies)} booked (at most {2 * STATIONS}), refused "
        f"{dict(rush_refused)}, {len(rush) / rush_seconds:,.0f} answers/s"
    )
    print(f"machine ceiling: pgbench {ceiling:,.0f} TPS (TPC-B-like, 2 clients, same server)")


if __name__ == "__main__":
    main()

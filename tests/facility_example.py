"""What the tests of the example facility system share: its commands and its follower run as the
test's facility, a commissary on the real broker for it, and a deposit captured by the ledger."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from uuid import UUID
from uuid import uuid4

from kinlink_commissary.bootstrap import CommissarySettings
from kinlink_commissary.bootstrap import build_commissary
from kinlink_commissary.service_layer.commissary import Commissary
from kinlink_contracts.ledger import DepositCaptured
from kinlink_contracts.topics import FACILITY_EVENTS
from kinlink_facility_example.books import Books
from kinlink_facility_example.cli import main
from kinlink_facility_example.follower import Follower
from kinlink_facility_example.reports import FacilityReports
from kinlink_facility_example.settings import FacilitySettings
from kinlink_facility_example.settings import Topics
from kinlink_kit.testing import Infra

from tests.commissary_doubles import MemoryHolds
from tests.commissary_orders import MemoryLedger
from tests.streams.identity.test_identity_facility_events import skip_earlier_events


async def facility_command(bootstrap: str, facility_id: str, state_file: Path, *args: str) -> int:
    """`kinlink-facility-example` as the facility runs it (in a thread: it runs its own loop)."""
    options = [
        f"--kafka-bootstrap={bootstrap}",
        f"--facility-id={facility_id}",
        f"--state-file={state_file}",
    ]
    return await asyncio.to_thread(main, [*options, *args])


async def commissary_for(infra: Infra, database: str) -> tuple[CommissarySettings, Commissary]:
    """A commissary of its own on the real broker, reading the facility topic from now on (the
    topic keeps earlier runs' events), the ledger's holds and charges in memory."""
    group = f"test-commissary-{uuid4().hex[:8]}"
    settings = CommissarySettings(
        postgres_dsn=infra.postgres_url(database),
        kafka_bootstrap=infra.kafka_bootstrap,
        consumer_group=group,
    )
    await skip_earlier_events(infra.kafka_bootstrap, FACILITY_EVENTS, group)
    return settings, build_commissary(settings, holds=MemoryHolds(), charges=MemoryLedger())


@asynccontextmanager
async def following(
    bootstrap: str,
    facility_id: str,
    state_file: Path,
    topics: Topics | None = None,
    consumer_group: str | None = None,
) -> AsyncIterator[Books]:
    """The facility following Kinlink's topics (or `topics`) until the block ends; its books."""
    settings = FacilitySettings(
        kafka_bootstrap=bootstrap,
        facility_id=facility_id,
        state_file=state_file,
        consumer_group=consumer_group or f"test-facility-{uuid4().hex[:8]}",
        topics=topics or Topics(),
    )
    books, stop = Books(state_file), asyncio.Event()
    try:
        async with FacilityReports.connected(
            bootstrap, settings.topics.facility, facility_id
        ) as reports:
            run = asyncio.create_task(Follower(settings, books, reports).run(stop))
            try:
                yield books
            finally:
                stop.set()
                await run
    finally:
        books.close()


def captured(deposit_id: UUID, facility_id: str, resident_id: str) -> DepositCaptured:
    """$50 and its fee, charged."""
    return DepositCaptured(
        deposit_id=deposit_id,
        facility_id=facility_id,
        resident_id=resident_id,
        depositor_id=str(uuid4()),
        amount_cents=5000,
        fee_cents=595,
        total_cents=5595,
        payment_reference="pi_test",
        receipt_number="K-0001",
    )

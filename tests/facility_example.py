"""What the tests of the example facility system share: its follower run in the test's event
loop, and a deposit captured by the ledger."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from uuid import UUID
from uuid import uuid4

from kinlink_contracts.ledger import DepositCaptured
from kinlink_facility_example.books import Books
from kinlink_facility_example.follower import Follower
from kinlink_facility_example.reports import FacilityReports
from kinlink_facility_example.settings import FacilitySettings
from kinlink_facility_example.settings import Topics


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

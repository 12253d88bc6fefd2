"""Exactly one replica leads a job (the outbox relay), and another takes over when it stops."""

from __future__ import annotations

import asyncio
import contextlib

import psycopg
from kinlink_kit.leadership import Leadership
from kinlink_kit.testing import Infra
from kinlink_kit.testing import eventually


class Counter:
    """A job that counts its ticks while it runs."""

    def __init__(self) -> None:
        self.ticks = 0

    async def job(self) -> None:
        while True:
            self.ticks += 1
            await asyncio.sleep(0.02)


async def test_one_replica_leads_and_another_takes_over(infra: Infra, fresh_database: str) -> None:
    url = infra.postgres_url(fresh_database)
    first, second = (
        Leadership(url, "relay", retry_seconds=0.2),
        Leadership(url, "relay", retry_seconds=0.2),
    )
    first_job, second_job = Counter(), Counter()
    first_task = asyncio.create_task(first.run(first_job.job))

    async def first_leads() -> bool:
        return first.leading and first_job.ticks > 0

    await eventually(first_leads, timeout=10)
    second_task = asyncio.create_task(second.run(second_job.job))
    await asyncio.sleep(1.0)  # five of the second's attempts to take the lead
    assert not second.leading and second_job.ticks == 0

    first_task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await first_task

    async def second_leads() -> bool:
        return second.leading and second_job.ticks > 0

    await eventually(second_leads, timeout=10)
    second_task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await second_task


async def test_a_leader_whose_connection_dies_stops_and_another_leads(
    infra: Infra, fresh_database: str
) -> None:
    url = infra.postgres_url(fresh_database)
    first, second = (
        Leadership(url, "relay", retry_seconds=0.2),
        Leadership(url, "relay", retry_seconds=0.2),
    )
    first_job, second_job = Counter(), Counter()
    tasks = [asyncio.create_task(first.run(first_job.job))]

    async def first_leads() -> bool:
        return first.leading

    await eventually(first_leads, timeout=10)
    tasks.append(asyncio.create_task(second.run(second_job.job)))
    # The database ends the leader's session, as a failover or a network cut would.
    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_locks "
            "WHERE locktype = 'advisory' AND granted AND pid <> pg_backend_pid() "
            "AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
        )

    async def second_took_over() -> bool:
        return second.leading and second_job.ticks > 0

    async def first_stepped_down() -> bool:
        return not first.leading

    # The old leader learns of its lost connection only when it next checks, so for a moment both
    # may run (why the relay's consumers deduplicate); what matters is that it then stops.
    await eventually(second_took_over, timeout=10)
    await eventually(first_stepped_down, timeout=10)
    ticks = first_job.ticks
    await asyncio.sleep(0.3)
    assert first_job.ticks == ticks, "the old leader still runs its job"
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


async def test_a_job_that_fails_is_led_again(infra: Infra, fresh_database: str) -> None:
    leadership = Leadership(infra.postgres_url(fresh_database), "relay", retry_seconds=0.1)
    starts = Counter()

    async def fails_the_first_time() -> None:
        starts.ticks += 1
        if starts.ticks == 1:
            raise RuntimeError("the broker went away")
        await asyncio.Event().wait()

    task = asyncio.create_task(leadership.run(fails_the_first_time))

    async def started_again() -> bool:
        return starts.ticks == 2 and leadership.leading

    try:
        await eventually(started_again, timeout=10)
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

"""One process at a time does a job, among all the replicas of a service on one database.

The outbox relay must run in exactly one process per store (two would publish everything twice).
Every replica runs `Leadership.run(job)`; the one holding a PostgreSQL session-level advisory lock
does the job, the others wait to take over. The lock lives as long as its connection: a leader
that dies, or loses its connection, lets another replica take over within seconds (TCP keepalives
let the server notice a leader whose host vanished). A job that fails gives up the lead and is
started again by whichever replica takes it next.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from collections.abc import Coroutine
from dataclasses import dataclass
from typing import Any

import psycopg

from kinlink_kit.logging import get_logger

log = get_logger(__name__)

Job = Callable[[], Coroutine[Any, Any, None]]


class Leadership:
    def __init__(self, database_url: str | None, name: str, *, retry_seconds: float = 2.0) -> None:
        """With no database (the embedded mode: one process), this process always leads."""
        self.database_url = database_url
        self.name = name
        self.retry_seconds = retry_seconds
        self.leading = database_url is None

    async def run(self, job: Job) -> None:
        """Run `job` whenever this process leads, until cancelled."""
        if self.database_url is None:
            await job()
            return
        while True:
            connection = await asyncio.to_thread(self._try_to_lead)
            if connection is None:
                await asyncio.sleep(self.retry_seconds)
                continue
            try:
                await self._lead(connection, job)
            except Exception:
                # The job must outlive any one failure: give up the lead, and let whichever
                # replica asks first take it again.
                log.exception("leading failed; giving up the lead", job=self.name)
            finally:
                self.leading = False
                with contextlib.suppress(psycopg.Error):
                    await asyncio.to_thread(connection.close)  # closing releases the lock
            await asyncio.sleep(self.retry_seconds)

    def _try_to_lead(self) -> psycopg.Connection[Any] | None:
        try:
            connection = psycopg.connect(
                self.database_url or "",
                autocommit=True,
                connect_timeout=5,
                # The server must notice a leader that vanished (its host gone, a network cut)
                # within seconds, not after the hours of default TCP timeouts: the lock goes too.
                keepalives=1,
                keepalives_idle=5,
                keepalives_interval=2,
                keepalives_count=3,
                tcp_user_timeout=10_000,
            )
        except psycopg.Error as error:
            log.warning(
                "cannot reach the database to take the lead", job=self.name, error=str(error)
            )
            return None
        try:
            row = connection.execute(
                "SELECT pg_try_advisory_lock(hashtext(%s))", (f"kinlink leader {self.name}",)
            ).fetchone()
        except psycopg.Error as error:
            log.warning("cannot ask for the lead", job=self.name, error=str(error))
            row = None
        if row and row[0]:
            log.info("leading", job=self.name)
            return connection
        connection.close()
        return None

    async def _lead(self, connection: psycopg.Connection[Any], job: Job) -> None:
        """Do the job while the lock's connection stays alive; give up the lead if it dies."""
        self.leading = True
        task = asyncio.create_task(job(), name=f"leader:{self.name}")
        try:
            while not task.done():
                await asyncio.wait({task}, timeout=self.retry_seconds)
                if not task.done() and not await asyncio.to_thread(
                    self._still_connected, connection
                ):
                    log.warning("lost the lead: the lock's connection died", job=self.name)
                    return
            task.result()  # a job that ended by itself ends the lead, with its error if any
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task

    @staticmethod
    def _still_connected(connection: psycopg.Connection[Any]) -> bool:
        try:
            connection.execute("SELECT 1")
        except psycopg.Error:
            return False
        return True


@dataclass(frozen=True)
class ElectedJob:
    """`job`, run from this process whenever it is elected (the `leadership`)."""

    leadership: Leadership
    job: Job

    async def __call__(self) -> None:
        await self.leadership.run(self.job)

    def __str__(self) -> str:
        return f"{self.leadership.name} (when elected)"


def elected_job(take_part: bool, database_url: str | None, name: str, job: Job) -> list[Job]:
    """`job` as a background job run from this process whenever it is elected among the replicas
    on the database; none when `take_part` (a setting) keeps this process out of the election."""
    if not take_part:
        return []
    return [ElectedJob(Leadership(database_url, name), job)]

"""The pytest fixtures every service's tests use; name this module in the tests' root conftest:
`pytest_plugins = ["kinlink_kit.testing.fixtures"]`."""

from __future__ import annotations

import asyncio
import functools
import inspect
import uuid
from collections.abc import Awaitable
from collections.abc import Callable
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC
from datetime import datetime

import psycopg
import pytest

from kinlink_kit.testing.clock import Clock
from kinlink_kit.testing.infra import Infra
from kinlink_kit.testing.infra import read_infra


@pytest.fixture(scope="session")
def infra(pytestconfig: pytest.Config) -> Infra:
    return read_infra(pytestconfig.rootpath / ".infra.env")


@pytest.fixture
def fresh_database(infra: Infra) -> Iterator[str]:
    """A new, empty PostgreSQL database for one test, dropped afterwards."""
    with new_database(infra) as name:
        yield name


@contextmanager
def new_database(infra: Infra) -> Iterator[str]:
    """A new, empty PostgreSQL database, dropped on leaving: for a test whose services each
    need their own."""
    name = f"kinlink_test_{uuid.uuid4().hex[:12]}"
    admin = infra.postgres_url("postgres")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield name
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def clock() -> Clock:
    # A Wednesday, mid-week at every demo facility.
    return Clock(datetime(2026, 11, 25, 18, 0, tzinfo=UTC))


# An async test that overruns is cancelled inside its event loop, a minute before pytest-timeout's
# alarm (the `timeout` setting): its `async with` blocks then stop the services it started, and
# its failure shows where it waited. The alarm stays the last resort, for a test blocked outside
# the loop; it leaves the test's tasks running on the loop the next tests share.
ALARM_MARGIN_SECONDS = 60


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    alarm = float(config.getini("timeout") or 0)
    if alarm <= ALARM_MARGIN_SECONDS:
        return
    for item in items:
        if isinstance(item, pytest.Function) and inspect.iscoroutinefunction(item.obj):
            item.obj = cancelled_after(alarm - ALARM_MARGIN_SECONDS, item.obj)


def cancelled_after(
    seconds: float, test: Callable[..., Awaitable[None]]
) -> Callable[..., Awaitable[None]]:
    @functools.wraps(test)
    async def bounded(*args: object, **kwargs: object) -> None:
        try:
            async with asyncio.timeout(seconds) as bound:
                await test(*args, **kwargs)
        except TimeoutError as error:
            if bound.expired():
                message = f"{test.__qualname__} ran past {seconds:.0f}s: cancelled where it waited"
                raise TimeoutError(message) from error
            raise

    return bounded

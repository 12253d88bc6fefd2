"""The kit's pytest plugin cancels an async test that overruns inside its event loop, a minute
before pytest-timeout's alarm, so that what the test started is stopped by its own `finally`."""

from __future__ import annotations

import pytest

pytest_plugins = ["pytester"]

OVERRUNNING = """
import asyncio
from pathlib import Path

async def test_waits_forever():
    try:
        await asyncio.Event().wait()
    finally:
        Path("{stopped}").write_text("stopped")

async def test_quick():
    await asyncio.sleep(0)

def test_plain():
    assert True
"""


def test_an_overrunning_async_test_is_cancelled_and_cleans_up(pytester: pytest.Pytester) -> None:
    stopped = pytester.path / "stopped"
    pytester.makepyfile(OVERRUNNING.format(stopped=stopped))

    result = pytester.runpytest_subprocess(
        "-p", "kinlink_kit.testing.fixtures", "-o", "asyncio_mode=auto", "-o", "timeout=61"
    )

    result.assert_outcomes(passed=2, failed=1)
    result.stdout.fnmatch_lines(["*TimeoutError: test_waits_forever ran past 1s*"])
    assert stopped.read_text() == "stopped", "the test's finally ran"
    result.stdout.no_fnmatch_line("*Timeout +++*")  # pytest-timeout's alarm never went off


def test_no_bound_when_the_alarm_is_off(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import asyncio
        async def test_a_while():
            await asyncio.sleep(0.1)
        """
    )

    result = pytester.runpytest_subprocess(
        "-p", "kinlink_kit.testing.fixtures", "-o", "asyncio_mode=auto", "-o", "timeout=0"
    )

    result.assert_outcomes(passed=1)

"""`kinlink-facility-example follow` as its own process on the real broker: it says what it
follows and under which consumer group, and stops cleanly on SIGTERM (as Kubernetes stops it)."""

from __future__ import annotations

import asyncio
import signal
import sys
import uuid
from pathlib import Path

from kinlink_kit.testing import Infra


async def test_follow_stops_cleanly_on_sigterm(infra: Infra, tmp_path: Path) -> None:
    run = uuid.uuid4().hex[:8]
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "kinlink_facility_example",
        f"--kafka-bootstrap={infra.kafka_bootstrap}",
        f"--facility-id=FAC-STOP-{run}",
        f"--state-file={tmp_path / 'books.sqlite'}",
        f"--consumer-group=test-facility-{run}",
        "follow",
        stderr=asyncio.subprocess.PIPE,
    )
    assert process.stderr is not None
    try:
        started = ""
        while "follows" not in started:
            line = await asyncio.wait_for(process.stderr.readline(), timeout=60)
            assert line, "the follower exited before it started following"
            started = line.decode()
        assert f"facility FAC-STOP-{run} follows kinlink.ledger.events.v1" in started
        assert f"as consumer group test-facility-{run}" in started
        process.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(process.wait(), timeout=60) == 0
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()

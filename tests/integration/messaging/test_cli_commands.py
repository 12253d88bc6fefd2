"""The `kinlink message ...` commands against the messaging service served over gRPC, as
families, officers and facility systems use them: one line a message, times in the terminal's
time zone, money in dollars, refusals by their stable codes."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from click.testing import CliRunner
from click.testing import Result
from kinlink_cli.main import cli
from kinlink_kit.auth import Role
from kinlink_kit.testing import Clock
from kinlink_messaging.service_layer.messaging import Messaging
from structlog.testing import capture_logs

from tests.conftest import TokenKeys
from tests.integration.messaging.sent import sent_message
from tests.messaging_doubles import FACILITY
from tests.messaging_doubles import RESIDENT
from tests.messaging_doubles import REVIEWING_FACILITY

# The tests' clock stands at 2026-11-25 18:00 UTC: noon in the terminal's zone.
TERMINAL_ZONE = "America/Chicago"


@dataclass
class Kinlink:
    """The CLI, run in a worker thread: its gRPC calls block, and the service serves from this
    test's event loop."""

    address: str
    config_home: Path

    async def __call__(self, *args: str, token: str) -> Result:
        env = {
            "KINLINK_TARGET": self.address,
            "XDG_CONFIG_HOME": str(self.config_home),
            "KINLINK_TOKEN": token,
            "TZ": TERMINAL_ZONE,
        }
        return await asyncio.to_thread(CliRunner(env=env).invoke, cli, ["message", *args])

    async def json(self, *args: str, token: str) -> Any:
        result = await self(*args, "--json", token=token)
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)


def refused_with(result: Result, code: str) -> bool:
    return result.exit_code == 1 and f"error: {code}" in result.stderr


@pytest.fixture
async def kinlink(messaging_address: str, tmp_path: Path) -> AsyncIterator[Kinlink]:
    # The CLI's output is captured by swapping sys.stdout for the whole process: the service's
    # log lines are kept aside, or they would land in the middle of it.
    with capture_logs():
        yield Kinlink(messaging_address, tmp_path / "config")


def officer(token_keys: TokenKeys, facility_id: str = REVIEWING_FACILITY) -> str:
    return token_keys.token("officer-1", Role.FACILITY_OFFICER, facilities=[facility_id])


def kiosk(token_keys: TokenKeys) -> str:
    return token_keys.token("kiosk", Role.FACILITY_INTEGRATION, facilities=[FACILITY])


async def test_an_officer_sees_the_queue_oldest_first_then_approves_and_rejects_with_a_reason(
    kinlink: Kinlink,
    messaging: Messaging,
    token_keys: TokenKeys,
    clock: Clock,
    family: UUID,
    tmp_path: Path,
) -> None:
    first = sent_message(
        messaging, family, REVIEWING_FACILITY, RESIDENT, client_key="a", thumbnails=(b"t0",)
    )
    clock.now += timedelta(minutes=1)
    second = sent_message(
        messaging, family, REVIEWING_FACILITY, RESIDENT, client_key="b", body="Second one."
    )
    token = officer(token_keys)

    queue = await kinlink(
        "review-queue",
        f"--facility={REVIEWING_FACILITY}",
        f"--thumbnails-to={tmp_path}",
        token=token,
    )
    assert queue.exit_code == 0, queue.output
    assert queue.stdout.splitlines() == [
        f"{first.id}  2026-11-25 12:00 CST  to {RESIDENT} at {REVIEWING_FACILITY}"
        "  pending review  $1.50  1 image",
        "  Hello from home.",
        f"  image 0: image/jpeg 800x600 (`kinlink message image {first.id} --index 0 --out FILE`)",
        f"  thumbnail 0: {tmp_path / f'{first.id}-0.jpg'}",
        f"{second.id}  2026-11-25 12:01 CST  to {RESIDENT} at {REVIEWING_FACILITY}"
        "  pending review  $0.50",
        "  Second one.",
    ]
    assert (tmp_path / f"{first.id}-0.jpg").read_bytes() == b"t0"

    approved = await kinlink("approve", str(first.id), token=token)
    assert approved.exit_code == 0, approved.output
    assert "  delivered  " in approved.stdout
    rejected = await kinlink(
        "reject", str(second.id), "--reason=No photos of other residents.", token=token
    )
    assert rejected.exit_code == 0, rejected.output
    assert "  rejected: No photos of other residents.  $0.50" in rejected.stdout

    again = await kinlink("approve", str(second.id), token=token)
    assert refused_with(again, "message_already_decided")
    assert await kinlink.json("review-queue", f"--facility={REVIEWING_FACILITY}", token=token) == {
        "items": [],
        "next_page_token": "",
    }


async def test_an_officer_of_another_facility_is_refused_naming_the_facility(
    kinlink: Kinlink, token_keys: TokenKeys
) -> None:
    elsewhere = await kinlink(
        "review-queue", f"--facility={REVIEWING_FACILITY}", token=officer(token_keys, FACILITY)
    )
    assert refused_with(elsewhere, "facility_out_of_scope (facility_id)")
    as_json = await kinlink(
        "reject",
        "not-a-message-id",
        "--reason=late",
        "--json",
        token=officer(token_keys),
    )
    assert as_json.exit_code == 1
    assert json.loads(as_json.stdout)["error"]["code"] == "message_id_invalid"


async def test_a_facility_system_posts_a_reply_once_per_key_lists_and_marks_what_was_read(
    kinlink: Kinlink, messaging: Messaging, token_keys: TokenKeys, clock: Clock, family: UUID
) -> None:
    delivered = sent_message(messaging, family, FACILITY, RESIDENT)
    clock.now += timedelta(minutes=1)
    token = kiosk(token_keys)
    where = (f"--facility={FACILITY}", f"--resident={RESIDENT}")

    posted = await kinlink(
        "reply", *where, f"--to-account={family}", "--body=Thank you!", "--collect", token=token
    )
    assert posted.exit_code == 0, posted.output
    message_id, *_ = posted.stdout.split()
    assert (
        f"  from {RESIDENT} at {FACILITY}  delivered"
        f"  collect: `kinlink message open-collect {message_id}` to pay"
    ) in posted.stdout
    key = posted.stderr.split()[2].rstrip(":")
    repeated = await kinlink.json(
        "reply",
        *where,
        f"--to-account={family}",
        "--body=Thank you!",
        "--collect",
        f"--client-key={key}",
        token=token,
    )
    assert repeated["message_id"] == message_id

    listed = await kinlink("resident-messages", *where, token=token)
    assert listed.exit_code == 0, listed.output
    lines = listed.stdout.splitlines()
    assert [line.split()[0] for line in lines if not line.startswith(" ")] == [
        message_id,
        str(delivered.id),
    ]
    assert "  Hello from home." in lines

    read = await kinlink("mark-read", str(delivered.id), token=token)
    assert read.exit_code == 0, read.output
    # Read at 18:01 UTC: it expires 336 hours later, 12:01 in Chicago on 9 December.
    assert "  read, expires 2026-12-09 12:01 CST  $0.50" in read.stdout

    no_body = await kinlink("reply", *where, f"--to-account={family}", token=token)
    assert refused_with(no_body, "body_missing (body)")

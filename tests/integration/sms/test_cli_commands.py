"""The `kinlink sms ...` commands against the SMS gateway served over gRPC (built by its bootstrap
with the doubles of `tests.sms_doubles`), on SQLite and on the real PostgreSQL: a family member
turns SMS on with the code the carrier carried, reads it, previews a text's cost with the
gateway's own counting, turns it off, reads the history; an operator looks the number up;
refusals by their codes."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from uuid import UUID

import pytest
from kinlink_kit.auth import Role
from structlog.testing import capture_logs

from tests.cli_in_thread import CliInThread
from tests.conftest import TokenKeys
from tests.integration.sms.conftest import PHONE
from tests.sms_doubles import KINLINK_NUMBERS
from tests.sms_doubles import RESIDENT
from tests.sms_doubles import SMS_FACILITY
from tests.sms_doubles import SmsOutside

WHERE = (f"--facility={SMS_FACILITY}", f"--resident={RESIDENT}")
SMART_APOSTROPHE = "\u2019"


class Kinlink(CliInThread):
    group = "sms"


@pytest.fixture
async def kinlink(sms_address: str, tmp_path: Path) -> AsyncIterator[Kinlink]:
    with capture_logs():  # the service's log lines stay out of the CLI's captured output
        yield Kinlink(sms_address, tmp_path / "config")


async def test_a_family_member_turns_sms_on_reads_it_previews_and_turns_it_off(
    kinlink: Kinlink, outside: SmsOutside, family: UUID, token_keys: TokenKeys
) -> None:
    me = token_keys.token(str(family), Role.FAMILY_MEMBER)
    started = await kinlink("on", *WHERE, "--phone=(312) 555-0123", token=me)
    assert started.exit_code == 0, started.output
    assert started.stdout.startswith(f"Code sent to {PHONE} for {RESIDENT} at {SMS_FACILITY}")
    assert "Reply STOP to stop" in started.stdout

    wrong = await kinlink("confirm", *WHERE, "--code=000000", token=me)
    assert wrong.exit_code == 1 and "error: verification_code_wrong" in wrong.stderr
    code = outside.carrier.code_sent_to(PHONE)
    confirmed = await kinlink("confirm", *WHERE, f"--code={code}", token=me)
    on_line = f"{RESIDENT} at {SMS_FACILITY}  on  to {PHONE} from {KINLINK_NUMBERS[0]}\n"
    assert confirmed.stdout == on_line
    assert (await kinlink("status", *WHERE, token=me)).stdout == on_line
    assert (await kinlink("list", token=me)).stdout == on_line

    preview = await kinlink(
        "preview", f"--facility={SMS_FACILITY}", f"--body=It{SMART_APOSTROPHE}s me", token=me
    )
    lines = preview.stdout.splitlines()
    assert lines[0].startswith("1 text (UCS-2, 7 units)")
    assert lines[1] == f"  '{SMART_APOSTROPHE}' at 2 makes it UCS-2: use \"'\""

    off = await kinlink("off", *WHERE, token=me)
    assert off.stdout == f"{RESIDENT} at {SMS_FACILITY}  off: turned off  to {PHONE} from " + (
        f"{KINLINK_NUMBERS[0]}\n"
    )
    # Verification codes are not SMS of a conversation: the history has none.
    assert (await kinlink("history", token=me)).stdout == "No SMS in the last 14 days.\n"


async def test_an_operator_looks_a_number_up_and_a_family_member_may_not(
    kinlink: Kinlink, family: UUID, token_keys: TokenKeys
) -> None:
    operator = token_keys.token("operator-1", Role.OPERATOR)
    looked_up = await kinlink("phone-status", PHONE, token=operator)
    assert looked_up.stdout == f"{PHONE}  can receive SMS\n"
    me = token_keys.token(str(family), Role.FAMILY_MEMBER)
    refused = await kinlink("phone-status", PHONE, "--json", token=me)
    assert refused.exit_code == 1
    assert '"status": "PERMISSION_DENIED"' in refused.stdout

"""A gateway process killed (SIGKILL) between the carrier taking an SMS and the record of its
SID, on SQLite and on the real PostgreSQL. Restarted, the gateway never sends it again behind
the carrier's back; the carrier's callback, naming the SMS, brings the SID; the family member
is charged once whatever is repeated. Without the callback, the settle sweep tries again and,
both sends delivered, still one charge."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from kinlink_kit.testing import Clock
from kinlink_sms.bootstrap import SmsSettings
from kinlink_sms.domain.outbound_sms import OutboundStatus
from kinlink_sms.domain.ports import CarrierStatus
from kinlink_sms.domain.ports import Payment
from kinlink_sms.domain.ports import StatusReport
from kinlink_sms.service_layer.dispatch_sms import dispatch_due
from kinlink_sms.service_layer.gateway import SmsGateway
from kinlink_sms.service_layer.settle_sms import settle_sms
from kinlink_sms.service_layer.sms_outcomes import record_sms_status

from tests.conftest import ROOT

# The gateway as its use cases' tests open it, on both stores, again after a restart.
from tests.integration.sms.conftest import outside  # noqa: F401
from tests.integration.sms.conftest import reopen  # noqa: F401
from tests.integration.sms.conftest import sms_settings  # noqa: F401
from tests.integration.sms.outbound import delivered
from tests.integration.sms.outbound import family
from tests.integration.sms.outbound import only
from tests.integration.sms.outbound import turned_on
from tests.sms_doubles import SmsOutside

AFTER = timedelta(minutes=5)


def killed_while_sending(
    settings: SmsSettings, world: SmsOutside, clock: Clock, folder: Path
) -> dict[str, Any]:
    """Runs the dispatcher in a process of its own, killed once the carrier took the SMS;
    what the carrier recorded."""
    (message,) = world.messages.delivered.values()
    fields = {
        key: str(value) if key.endswith("_id") else value
        for key, value in dataclasses.asdict(message).items()
    }
    folder.mkdir()
    process = subprocess.run(
        [
            sys.executable,
            "-m",
            "tests.faults.sms_killed_dispatcher",
            settings.model_dump_json(),
            str(folder),
            json.dumps(fields),
            clock.now.isoformat(),
        ],
        cwd=ROOT,
        capture_output=True,
        timeout=120,
    )
    assert process.returncode == -9, process.stderr.decode()[-3000:]
    (record,) = [json.loads(path.read_text()) for path in folder.glob("*.json")]
    return record


@pytest.mark.parametrize("callback", ["arrives", "is_lost"])
def test_killed_between_send_and_record_nothing_is_charged_twice(
    reopen: Callable[[], SmsGateway],  # noqa: F811
    sms_settings: SmsSettings,  # noqa: F811
    outside: SmsOutside,  # noqa: F811
    clock: Clock,
    tmp_path: Path,
    callback: str,
) -> None:
    gateway = reopen()
    account = family(outside)
    turned_on(gateway, account)
    delivered(gateway, outside, account)
    gateway.close()

    taken = killed_while_sending(sms_settings, outside, clock, tmp_path / "carrier")
    restarted = reopen()
    sms = only(restarted, account)
    assert (sms.status, sms.sid, taken["reference"]) == (
        OutboundStatus.SENDING,
        None,
        sms.callback_reference,
    )
    assert dispatch_due(restarted) == 0
    assert outside.carrier.sent == []  # not sent again behind the carrier's back
    if callback == "arrives":
        for _ in range(2):
            record_sms_status(
                restarted, taken["reference"], StatusReport(taken["sid"], CarrierStatus.DELIVERED)
            )
    else:
        clock.now += AFTER
        settle_sms(restarted, AFTER)  # no SID after all this time: tried again
        clock.now += timedelta(minutes=1)
        assert dispatch_due(restarted) == 1
        ((second_sid, _),) = outside.carrier.sent
        # Both sends reach the phone; the first report wins.
        for sid in (taken["sid"], second_sid, taken["sid"]):
            record_sms_status(
                restarted, taken["reference"], StatusReport(sid, CarrierStatus.DELIVERED)
            )
    clock.now += AFTER
    settle_sms(restarted, AFTER)
    once = Payment(f"sms:{taken['sid']}", 5, 95)
    assert outside.wallet.charged(account) == [once]
    assert only(restarted, account).payment == once

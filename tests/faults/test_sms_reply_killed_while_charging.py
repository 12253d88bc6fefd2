"""A gateway process killed (SIGKILL) while charging an SMS reply, on SQLite and on the real
PostgreSQL: before the ledger took the charge, or after it took it and before its answer was
recorded. Restarted, the reply is still received (saved before the charge); the settle sweep
charges it under the same reference and passes it on: one charge, one SmsReplyReceived, and the
webhook posted again answers the same without charging again."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from dataclasses import asdict
from datetime import timedelta
from pathlib import Path
from uuid import UUID
from uuid import uuid4

import pytest
from kinlink_kit.testing import Clock
from kinlink_sms.bootstrap import SmsSettings
from kinlink_sms.domain.inbound_sms import InboundSms
from kinlink_sms.domain.inbound_sms import InboundStatus
from kinlink_sms.domain.ports import Payment
from kinlink_sms.domain.ports import ReceivedSms
from kinlink_sms.service_layer.charge_reply import settle_replies
from kinlink_sms.service_layer.gateway import SmsGateway
from kinlink_sms.service_layer.receive_sms import receive_sms

from tests.conftest import ROOT

# The gateway as its use cases' tests open it, on both stores, again after a restart.
from tests.integration.sms.conftest import outside  # noqa: F401
from tests.integration.sms.conftest import reopen  # noqa: F401
from tests.integration.sms.conftest import sms_settings  # noqa: F401
from tests.integration.sms.subscribed import published_replies
from tests.integration.sms.subscribed import subscribed
from tests.sms_doubles import SMS_FACILITY
from tests.sms_doubles import SmsOutside

PHONE = "+13125550123"
AFTER = timedelta(minutes=5)


def killed_while_charging(
    settings: SmsSettings, sms: ReceivedSms, account_id: UUID, clock: Clock, when: str, ledger: Path
) -> None:
    """Handles the reply in a process of its own, killed at the charge."""
    process = subprocess.run(
        [
            sys.executable,
            "-m",
            "tests.faults.sms_killed_reply",
            settings.model_dump_json(),
            json.dumps(asdict(sms)),
            clock.now.isoformat(),
            when,
            str(ledger),
            str(account_id),
            "100",
        ],
        cwd=ROOT,
        capture_output=True,
        timeout=120,
    )
    assert process.returncode == -9, process.stderr.decode()[-3000:]


@pytest.mark.parametrize("when", ["before_charging", "after_charging"])
def test_killed_while_charging_a_reply_it_is_charged_once_and_passed_on(
    reopen: Callable[[], SmsGateway],  # noqa: F811
    sms_settings: SmsSettings,  # noqa: F811
    outside: SmsOutside,  # noqa: F811
    clock: Clock,
    tmp_path: Path,
    when: str,
) -> None:
    account = uuid4()
    gateway = reopen()
    kinlink_number = subscribed(gateway, outside, account, PHONE, SMS_FACILITY).kinlink_number
    assert kinlink_number is not None
    gateway.close()
    sms = ReceivedSms(f"SM{uuid4().hex}", PHONE, kinlink_number, "See you Sunday", 1)
    ledger = tmp_path / "ledger.json"

    killed_while_charging(sms_settings, sms, account, clock, when, ledger)
    # The ledger's record of what it took before the process died, if it took anything.
    outside.wallet.fund(account, 100)
    if ledger.exists():
        taken = json.loads(ledger.read_text())
        assert UUID(taken.pop("account_id")) == account
        outside.wallet.payments[(account, taken["reference"])] = Payment(**taken)
        outside.wallet.balances[account] -= taken["amount_cents"]
    assert ledger.exists() is (when == "after_charging")

    restarted = reopen()
    received = restarted.find(InboundSms.create_id(sms.sid), InboundSms)
    assert received is not None and received.status is InboundStatus.RECEIVED
    clock.now += AFTER
    assert settle_replies(restarted, AFTER) == 1
    assert receive_sms(restarted, sms) is None  # the webhook posted again: already passed on
    assert settle_replies(restarted, AFTER) == 0

    assert outside.wallet.charged(account) == [Payment(f"sms:{sms.sid}", 5, 95)]
    assert outside.wallet.balances[account] == 95
    assert [e.type for e in published_replies(restarted)] == ["SmsReplyReceived"]

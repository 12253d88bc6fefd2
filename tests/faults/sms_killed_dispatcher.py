"""A gateway process that dispatches the SMS due and dies by SIGKILL the moment the carrier has
taken one, before the SID is recorded: the fault test's worst moment, in a process of its own.

    python -m tests.faults.sms_killed_dispatcher SETTINGS_JSON CARRIER_FOLDER MESSAGE_JSON NOW

The carrier writes what it took to `<sid>.json` in CARRIER_FOLDER (the test reads it as
Twilio's own record); the wallet, messaging and the directory are the tests' doubles; the
clock stands at NOW.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import uuid
from datetime import datetime
from pathlib import Path
from uuid import UUID

from kinlink_sms.bootstrap import SmsSettings
from kinlink_sms.bootstrap import build_sms_gateway
from kinlink_sms.domain.ports import CarrierReceipt
from kinlink_sms.domain.ports import CarrierStatus
from kinlink_sms.domain.ports import MessageToSend
from kinlink_sms.domain.ports import OutgoingSms
from kinlink_sms.domain.ports import StatusReport
from kinlink_sms.service_layer.dispatch_sms import dispatch_due

from tests.sms_doubles import SmsOutside


class KilledAfterSending:
    """Takes the SMS for good (its record written and flushed), then the process dies."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def send(self, sms: OutgoingSms) -> CarrierReceipt:
        sid = f"SM{uuid.uuid4().hex}"
        record = {"sid": sid, "reference": sms.reference, "to": sms.to, "body": sms.body}
        with (self.folder / f"{sid}.json").open("w") as file:
            json.dump(record, file)
            file.flush()
            os.fsync(file.fileno())
        os.kill(os.getpid(), signal.SIGKILL)
        raise AssertionError("unreachable: the process is dead")

    def status(self, sid: str) -> StatusReport:
        return StatusReport(sid, CarrierStatus.QUEUED)


def main() -> None:
    settings = SmsSettings.model_validate_json(sys.argv[1])
    fields = json.loads(sys.argv[3])
    message = MessageToSend(
        **{
            **fields,
            "message_id": UUID(fields["message_id"]),
            "account_id": UUID(fields["account_id"]),
            "image_urls": tuple(fields["image_urls"]),
        }
    )
    now = datetime.fromisoformat(sys.argv[4])
    outside = SmsOutside()
    outside.messages.deliver(message)
    outside.wallet.fund(message.account_id, 100)
    gateway = build_sms_gateway(
        settings,
        carrier=KilledAfterSending(Path(sys.argv[2])),
        wallet=outside.wallet,
        messages=outside.messages,
        directory=outside.directory,
    )
    gateway.clock = lambda: now
    dispatch_due(gateway)
    sys.exit("nothing was sent: the carrier was never asked")


if __name__ == "__main__":
    main()

"""A gateway process handling an SMS reply as the webhook hands it over, killed by SIGKILL at the
charge: before the ledger took it, or right after (the charge made, its answer never heard).

    python -m tests.faults.sms_killed_reply SETTINGS SMS NOW WHEN LEDGER_FILE ACCOUNT CENTS

WHEN is `before_charging` or `after_charging`; after charging, what the ledger took is written
to LEDGER_FILE first (the test reads it as the ledger's own record). ACCOUNT has CENTS in its
wallet; the directory is the tests' double; the clock stands at NOW.
"""

from __future__ import annotations

import json
import os
import signal
import sys
from dataclasses import asdict
from datetime import datetime
from pathlib import Path
from uuid import UUID

from kinlink_sms.bootstrap import SmsSettings
from kinlink_sms.bootstrap import build_sms_gateway
from kinlink_sms.domain.ports import ChargeItem
from kinlink_sms.domain.ports import Payment
from kinlink_sms.domain.ports import ReceivedSms
from kinlink_sms.service_layer.receive_sms import receive_sms

from tests.sms_doubles import MemoryWallet
from tests.sms_doubles import SmsOutside


class KilledAtTheCharge(MemoryWallet):
    when: str = "before_charging"
    ledger_file: Path = Path()

    def charge(
        self, account_id: UUID, facility_id: str, items: tuple[ChargeItem, ...], reference: str
    ) -> Payment:
        if self.when == "after_charging":
            payment = super().charge(account_id, facility_id, items, reference)
            with self.ledger_file.open("w") as file:
                json.dump({"account_id": str(account_id), **asdict(payment)}, file)
                file.flush()
                os.fsync(file.fileno())
        os.kill(os.getpid(), signal.SIGKILL)
        raise AssertionError("unreachable: the process is dead")


def main() -> None:
    settings = SmsSettings.model_validate_json(sys.argv[1])
    sms = ReceivedSms(**json.loads(sys.argv[2]))
    now = datetime.fromisoformat(sys.argv[3])
    outside = SmsOutside()
    wallet = KilledAtTheCharge(outside.directory)
    wallet.when, wallet.ledger_file = sys.argv[4], Path(sys.argv[5])
    wallet.fund(UUID(sys.argv[6]), int(sys.argv[7]))
    gateway = build_sms_gateway(
        settings,
        carrier=outside.carrier,
        wallet=wallet,
        messages=outside.messages,
        directory=outside.directory,
    )
    gateway.clock = lambda: now
    receive_sms(gateway, sms)
    sys.exit("the wallet was never asked")


if __name__ == "__main__":
    main()

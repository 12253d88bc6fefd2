"""A posting run in a process of its own, killed by SIGKILL halfway: after KILL_AFTER orders
were charged and answered, the next one is charged by the processor and the process dies
before the ledger records the answer (a charge in flight).

    python -m tests.faults.commissary_killed_posting COMMISSARY LEDGER STATE NOW KILL_AFTER

COMMISSARY and LEDGER are the services' settings (JSON), STATE the simulated processor's state
file (its record of what it charged, read by the test), NOW the clock.
"""

from __future__ import annotations

import os
import signal
import sys
from datetime import datetime
from pathlib import Path

from kinlink_commissary.bootstrap import CommissarySettings
from kinlink_commissary.bootstrap import build_commissary
from kinlink_commissary.service_layer.run_posting import run_posting
from kinlink_contracts.demo import FAC_DEMO
from kinlink_ledger.adapters.simulated_processor import SimulatedProcessor
from kinlink_ledger.bootstrap import LedgerSettings
from kinlink_ledger.bootstrap import build_ledger
from kinlink_ledger.domain.payments import ChargeOutcome

from tests.commissary_doubles import MemoryHolds
from tests.commissary_ledger import LedgerInProcess


class KilledAfterCharging(SimulatedProcessor):
    kill_after: int = 0

    def confirm(self, reference: str, *, payer_present: bool) -> ChargeOutcome:
        outcome = super().confirm(reference, payer_present=payer_present)  # recorded in STATE
        self.kill_after -= 1
        if self.kill_after < 0:
            os.kill(os.getpid(), signal.SIGKILL)
        return outcome


def main() -> None:
    commissary_settings = CommissarySettings.model_validate_json(sys.argv[1])
    ledger_settings = LedgerSettings.model_validate_json(sys.argv[2])
    now = datetime.fromisoformat(sys.argv[4])
    processor = KilledAfterCharging(clock=lambda: now, state_file=Path(sys.argv[3]))
    processor.kill_after = int(sys.argv[5])
    ledger = build_ledger(ledger_settings, processor)
    ledger.clock = lambda: now
    commissary = build_commissary(
        commissary_settings, holds=MemoryHolds(), charges=LedgerInProcess(ledger)
    )
    commissary.clock = lambda: now
    run_posting(commissary, FAC_DEMO)
    sys.exit("the posting run finished: it was never killed")


if __name__ == "__main__":
    main()

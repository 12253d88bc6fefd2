"""A visitation process running the meter, killed by SIGKILL right after the ledger charged a
minute, before the visit recorded it.

    python -m tests.faults.visit_meter_killed SETTINGS NOW

SETTINGS are visitation's (its database, the ledger's and identity's addresses, the service
account's email: its password is the tests' own); the clock stands at NOW.
"""

from __future__ import annotations

import os
import signal
import sys
from datetime import datetime
from uuid import UUID

from kinlink_visitation.adapters.ledger_wallet import LedgerWallet
from kinlink_visitation.bootstrap import VisitationSettings
from kinlink_visitation.bootstrap import build_visitation
from kinlink_visitation.domain.wallet import ChargeItem
from kinlink_visitation.domain.wallet import InsufficientCredit
from kinlink_visitation.domain.wallet import Payment
from kinlink_visitation.domain.wallet import WalletUnavailable
from kinlink_visitation.service_layer.meter import meter_visits

from tests.service_accounts import SERVICE_PASSWORD
from tests.visitation_money import ClosingRooms


class KilledAfterCharging(
    LedgerWallet,
    payment=Payment,
    insufficient_credit=InsufficientCredit,
    unavailable=WalletUnavailable,
):
    def charge(
        self, account_id: UUID, facility_id: str, items: tuple[ChargeItem, ...], reference: str
    ) -> Payment:
        super().charge(account_id, facility_id, items, reference)
        os.kill(os.getpid(), signal.SIGKILL)
        raise AssertionError("unreachable: the process is dead")


def main() -> None:
    settings = VisitationSettings.model_validate_json(sys.argv[1]).model_copy(
        update={"service_account_password": SERVICE_PASSWORD}
    )
    now = datetime.fromisoformat(sys.argv[2])
    wallet = KilledAfterCharging.from_settings(settings, settings.service_account())
    visitation = build_visitation(settings, wallet=wallet, rooms=ClosingRooms())
    visitation.clock = lambda: now
    meter_visits(visitation)
    sys.exit("no minute was charged")


if __name__ == "__main__":
    main()

"""`kinlink-ledger`: the ledger as its own process (distributed mode), configured by KINLINK_*;
`migrate` creates its tables and exits."""

from __future__ import annotations

from kinlink_kit.runtime import run_service

from kinlink_ledger.bootstrap import LedgerSettings
from kinlink_ledger.bootstrap import build_ledger
from kinlink_ledger.bootstrap import create_ledger_tables
from kinlink_ledger.bootstrap import ledger_service


def main() -> None:
    run_service(
        LedgerSettings(),
        lambda settings, bus: ledger_service(settings, bus, build_ledger(settings)),
        create_ledger_tables,
    )


if __name__ == "__main__":
    main()

"""ListWalletHistory (requirements "Email and Video Visitation Charge History"): what a family paid
into their messaging subscription and what they spent from it — fundings, failed fundings too,
credits and charges — newest first.

Whose history: a family member's own; operators and auditors name the account (the gRPC layer
decides which, as for the wallet itself).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from kinlink_kit.views import Row

from kinlink_ledger.adapters.wallet_history_view import WalletEntryKind
from kinlink_ledger.service_layer.ledger import Ledger


@dataclass(frozen=True)
class WalletHistoryEntry:
    kind: WalletEntryKind
    entry_id: str  # the funding, charge or credit
    amount: int  # positive for fundings and credits, negative for charges
    description: str
    facility_id: str
    receipt_number: str  # a funding's receipt; empty for the others
    occurred_at: datetime

    @classmethod
    def from_row(cls, row: Row) -> WalletHistoryEntry:
        return cls(
            WalletEntryKind(row["kind"]),
            row["entry_id"],
            int(row["amount"]),
            row["description"],
            row["facility_id"],
            row["receipt_number"],
            datetime.fromisoformat(row["occurred_at"]),
        )


def list_wallet_history(ledger: Ledger, account_id: UUID) -> list[WalletHistoryEntry]:
    """An account without a wallet has an empty history."""
    return [
        WalletHistoryEntry.from_row(row)
        for row in ledger.views.wallet_history.for_account(account_id)
    ]

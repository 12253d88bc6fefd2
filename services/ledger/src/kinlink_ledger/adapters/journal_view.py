"""The journal read model: every entry's lines, with balances per account and the trial balance.

Lines are keyed by the event that recorded them, so applying an event twice changes nothing;
balances are sums over the lines, never counters that a redelivery could double.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kinlink_kit.projection import Projection
from kinlink_kit.views import ViewCursor

from kinlink_ledger.domain.allowance import CommissaryAllowance
from kinlink_ledger.domain.deposit import Deposit
from kinlink_ledger.domain.order_charge import OrderCharge
from kinlink_ledger.domain.wallet import MessagingWallet
from kinlink_ledger.domain.wallet_charge import WalletCharge

# Every event that books a money movement carries its journal entry in `entry`.
ENTRY_EVENTS: tuple[type, ...] = (
    Deposit.Captured,
    MessagingWallet.Funded,
    MessagingWallet.Credited,
    WalletCharge.Made,
    WalletCharge.Refunded,
    CommissaryAllowance.Authorized,
    CommissaryAllowance.Captured,
    CommissaryAllowance.Released,
    OrderCharge.Captured,
)


@dataclass(frozen=True)
class AccountBalance:
    account: str
    debits: int
    credits: int

    @property
    def balance(self) -> int:
        """Signed: positive for a debit balance (assets), negative for a credit balance."""
        return self.debits - self.credits


class JournalProjection(Projection):
    name = "journal"
    event_types = ENTRY_EVENTS
    ddl = """
    CREATE TABLE IF NOT EXISTS journal_lines (
        originator_id TEXT NOT NULL,
        originator_version BIGINT NOT NULL,
        account TEXT NOT NULL,
        amount BIGINT NOT NULL,
        position BIGINT NOT NULL,
        event TEXT NOT NULL,
        recorded_at TEXT NOT NULL,
        PRIMARY KEY (originator_id, originator_version, account)
    );
    CREATE INDEX IF NOT EXISTS journal_lines_by_account ON journal_lines (account, position)
    """

    def apply(self, cursor: ViewCursor, domain_event: Any, position: int) -> None:
        for account, amount in domain_event.entry.items():
            cursor.execute(
                "INSERT INTO journal_lines (originator_id, originator_version, account, amount, "
                "position, event, recorded_at) VALUES (:originator_id, :originator_version, "
                ":account, :amount, :position, :event, :recorded_at) "
                "ON CONFLICT (originator_id, originator_version, account) DO NOTHING",
                {
                    "originator_id": str(domain_event.originator_id),
                    "originator_version": domain_event.originator_version,
                    "account": account,
                    "amount": amount,
                    "position": position,
                    "event": type(domain_event).__qualname__,
                    "recorded_at": domain_event.timestamp.isoformat(),
                },
            )

    def balances(self, prefix: str = "") -> list[AccountBalance]:
        """Every account (or those whose name starts with `prefix`), by name."""
        self.catch_up()
        rows = self.views.query(
            "SELECT account, "
            "SUM(CASE WHEN amount > 0 THEN amount ELSE 0 END) AS debits, "
            "SUM(CASE WHEN amount < 0 THEN -amount ELSE 0 END) AS credits "
            "FROM journal_lines WHERE account LIKE :pattern ESCAPE '\\' "
            "GROUP BY account ORDER BY account",
            {"pattern": prefix.replace("%", r"\%").replace("_", r"\_") + "%"},
        )
        return [AccountBalance(r["account"], int(r["debits"]), int(r["credits"])) for r in rows]

    def balance(self, account: str) -> int:
        self.catch_up()
        rows = self.views.query(
            "SELECT COALESCE(SUM(amount), 0) AS balance FROM journal_lines WHERE account = :a",
            {"a": account},
        )
        return int(rows[0]["balance"])

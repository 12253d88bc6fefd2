"""The wallet history read model (requirements "Email and Video Visitation Charge History"): a row
per funding of a messaging subscription, failed funding, charge, refund and credit, listed per
account.

Rows are keyed by the event that made them, so applying an event twice changes nothing. They are
kept by wallet: a wallet's id derives from its account's, and charges name the account.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any
from uuid import UUID

from kinlink_kit.projection import Projection
from kinlink_kit.views import Row
from kinlink_kit.views import ViewCursor

from kinlink_ledger.domain.facility import ServiceKind
from kinlink_ledger.domain.money import Cents
from kinlink_ledger.domain.money import format_dollars
from kinlink_ledger.domain.wallet import MessagingWallet
from kinlink_ledger.domain.wallet_charge import ChargedItem
from kinlink_ledger.domain.wallet_charge import WalletCharge


class WalletEntryKind(StrEnum):
    FUNDING = "funding"
    FUNDING_FAILED = "funding_failed"
    CHARGE = "charge"
    CREDIT = "credit"
    REFUND = "refund"


_SERVICES = {
    ServiceKind.MESSAGE: "Message",
    ServiceKind.IMAGE: "Image",
    ServiceKind.SMS_SEGMENT: "SMS segment",
    ServiceKind.MMS: "MMS picture",
    ServiceKind.VIDEO_MINUTE: "Video minute",
}


@dataclass(frozen=True)
class _Entry:
    wallet_id: UUID
    kind: WalletEntryKind
    entry_id: UUID
    amount: int  # signed: what the entry added to the wallet
    description: str
    receipt_number: str = ""


def _entry_of(domain_event: Any) -> _Entry:
    if isinstance(domain_event, MessagingWallet.Funded):
        return _Entry(
            domain_event.originator_id,
            WalletEntryKind.FUNDING,
            domain_event.funding_id,
            domain_event.amount,
            "Messaging subscription funded",
            MessagingWallet.receipt_number_of(domain_event.funding_id),
        )
    if isinstance(domain_event, MessagingWallet.FundingFailed):
        # Nothing was paid; the description tells what was asked for.
        return _Entry(
            domain_event.originator_id,
            WalletEntryKind.FUNDING_FAILED,
            domain_event.funding_id,
            0,
            f"Funding of {format_dollars(Cents(domain_event.amount))} failed "
            f"({domain_event.reason})",
        )
    if isinstance(domain_event, MessagingWallet.Credited):
        return _Entry(
            domain_event.originator_id,
            WalletEntryKind.CREDIT,
            domain_event.credit_id,
            domain_event.amount,
            f"Credit: {domain_event.reason}",
        )
    # Charges and their refunds name the account: the wallet they were paid from is its.
    if isinstance(domain_event, WalletCharge.Refunded):
        return _Entry(
            MessagingWallet.create_id(domain_event.account_id),
            WalletEntryKind.REFUND,
            domain_event.originator_id,
            domain_event.amount,
            f"Refund: {domain_event.reason}",
        )
    assert isinstance(domain_event, WalletCharge.Made)
    return _Entry(
        MessagingWallet.create_id(domain_event.account_id),
        WalletEntryKind.CHARGE,
        domain_event.originator_id,
        -domain_event.amount,
        "; ".join(_charged(ChargedItem.of_record(item)) for item in domain_event.items),
    )


def _charged(item: ChargedItem) -> str:
    return f"{_SERVICES[item.kind]}: {item.quantity} at {format_dollars(item.unit_price)} each"


class WalletHistoryProjection(Projection):
    name = "wallet_history"
    event_types = (
        MessagingWallet.Funded,
        MessagingWallet.FundingFailed,
        MessagingWallet.Credited,
        WalletCharge.Made,
        WalletCharge.Refunded,
    )
    ddl = """
    CREATE TABLE IF NOT EXISTS wallet_history (
        originator_id TEXT NOT NULL,
        originator_version BIGINT NOT NULL,
        wallet_id TEXT NOT NULL,
        position BIGINT NOT NULL,
        kind TEXT NOT NULL,
        entry_id TEXT NOT NULL,
        amount BIGINT NOT NULL,
        description TEXT NOT NULL,
        facility_id TEXT NOT NULL,
        receipt_number TEXT NOT NULL,
        occurred_at TEXT NOT NULL,
        PRIMARY KEY (originator_id, originator_version)
    );
    CREATE INDEX IF NOT EXISTS wallet_history_by_wallet ON wallet_history (wallet_id, position)
    """

    def apply(self, cursor: ViewCursor, domain_event: Any, position: int) -> None:
        entry = _entry_of(domain_event)
        cursor.execute(
            "INSERT INTO wallet_history (originator_id, originator_version, wallet_id, position, "
            "kind, entry_id, amount, description, facility_id, receipt_number, occurred_at) "
            "VALUES (:originator_id, :originator_version, :wallet_id, :position, :kind, "
            ":entry_id, :amount, :description, :facility_id, :receipt_number, :occurred_at) "
            "ON CONFLICT (originator_id, originator_version) DO NOTHING",
            {
                "originator_id": str(domain_event.originator_id),
                "originator_version": domain_event.originator_version,
                "wallet_id": str(entry.wallet_id),
                "position": position,
                "kind": entry.kind.value,
                "entry_id": str(entry.entry_id),
                "amount": entry.amount,
                "description": entry.description,
                "facility_id": domain_event.facility_id,
                "receipt_number": entry.receipt_number,
                "occurred_at": domain_event.timestamp.isoformat(),
            },
        )

    def for_account(self, account_id: UUID) -> list[Row]:
        """The account's entries, newest first."""
        self.catch_up()
        return self.views.query(
            "SELECT * FROM wallet_history WHERE wallet_id = :wallet_id ORDER BY position DESC",
            {"wallet_id": str(MessagingWallet.create_id(account_id))},
        )

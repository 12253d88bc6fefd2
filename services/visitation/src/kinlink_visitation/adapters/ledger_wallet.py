"""The `Wallet` over the ledger's gRPC API (the kit's `LedgerWallet`): Charge a minute,
GetCharge (a charge whose answer was lost), RefundCharge (a minute cut short on our side) and
GrantCredit (an approved refund request), each once per reference (decision 0071)."""

from __future__ import annotations

from uuid import UUID

from kinlink.ledger.v1 import ledger_pb2 as pb
from kinlink_kit import ledger_wallet
from kinlink_kit.ledger_wallet import LedgerWalletSettings

from kinlink_visitation.domain.wallet import VIDEO_MINUTE
from kinlink_visitation.domain.wallet import InsufficientCredit
from kinlink_visitation.domain.wallet import Payment
from kinlink_visitation.domain.wallet import WalletUnavailable

__all__ = ["LedgerWallet", "LedgerWalletSettings"]


class LedgerWallet(
    ledger_wallet.LedgerWallet[Payment],
    payment=Payment,
    insufficient_credit=InsufficientCredit,
    unavailable=WalletUnavailable,
):
    def grant_credit(
        self, account_id: UUID, facility_id: str, amount_cents: int, reason: str, reference: str
    ) -> None:
        request = pb.GrantCreditRequest(
            account_id=str(account_id),
            facility_id=facility_id,
            kind=VIDEO_MINUTE,
            amount_cents=amount_cents,
            reason=reason,
            reference=reference,
        )
        self.call("GrantCredit", self._ledger.GrantCredit, request)

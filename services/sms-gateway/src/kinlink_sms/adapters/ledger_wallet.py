"""The `Wallet` over the ledger's gRPC API (the kit's `LedgerWallet`): an SMS charged once per
reference `sms:<SID>` (its segments and pictures in one charge, all or nothing), and the
balance the dispatcher checks before sending (decision 0044)."""

from __future__ import annotations

from kinlink_kit import ledger_wallet
from kinlink_kit.ledger_wallet import LedgerWalletSettings

from kinlink_sms.domain.ports import InsufficientCredit
from kinlink_sms.domain.ports import Payment
from kinlink_sms.domain.ports import WalletUnavailable

__all__ = ["LedgerWallet", "LedgerWalletSettings"]


class LedgerWallet(
    ledger_wallet.LedgerWallet[Payment],
    payment=Payment,
    insufficient_credit=InsufficientCredit,
    unavailable=WalletUnavailable,
):
    pass

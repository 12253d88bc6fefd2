"""The `Wallet` over the ledger's gRPC API (the kit's `LedgerWallet`): Charge (a message and its
images in one charge, all or nothing), GetCharge (the payment sweep's question) and
RefundCharge, each once per reference (decision 0033). A charge whose answer was lost may have
been made; the message then waits `awaiting_payment` and the sweep asks `find_payment`, never
charging again.
"""

from __future__ import annotations

from kinlink_kit import ledger_wallet
from kinlink_kit.ledger_wallet import LedgerWalletSettings

from kinlink_messaging.domain.ports import InsufficientCredit
from kinlink_messaging.domain.ports import Payment
from kinlink_messaging.domain.ports import WalletUnavailable

__all__ = ["LedgerWallet", "LedgerWalletSettings"]


class LedgerWallet(
    ledger_wallet.LedgerWallet[Payment],
    payment=Payment,
    insufficient_credit=InsufficientCredit,
    unavailable=WalletUnavailable,
):
    pass

"""GetCharge and RefundCharge: a platform service learns whether a reference was charged (e.g.
messaging's payment sweep, after the ledger did not answer), and gives a charge back (e.g. a
message the facility rejected).

A refund credits exactly what its charge took, each part to the credit it came from, once
however often it is asked: a second refund returns the charge as the first one left it.
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from kinlink_kit.errors import InvalidArgument

from kinlink_ledger.domain.wallet_charge import ChargeNotFound
from kinlink_ledger.domain.wallet_charge import WalletCharge
from kinlink_ledger.service_layer.ledger import Ledger
from kinlink_ledger.service_layer.wallets import require_wallet


@dataclass(frozen=True)
class RefundCharge:
    account_id: UUID
    reference: str
    reason: str


def get_charge(ledger: Ledger, account_id: UUID, reference: str) -> WalletCharge:
    return ledger.require(
        WalletCharge.create_id(account_id, reference), WalletCharge, ChargeNotFound
    )


def refund_charge(ledger: Ledger, command: RefundCharge) -> WalletCharge:
    reason = command.reason.strip()
    if not reason:
        raise InvalidArgument("reason_missing", "A reason is required.")

    def attempt() -> WalletCharge:
        charge = get_charge(ledger, command.account_id, command.reference)
        if charge.refund is not None:
            return charge
        wallet = require_wallet(ledger, command.account_id)
        wallet.restore(charge.id, charge.from_credits, charge.from_funds)
        charge.refunded(reason, ledger.clock())
        ledger.store.save(wallet, charge)
        return charge

    # Two refunds of one charge collide on its version: the second then finds it refunded.
    return ledger.retrying(attempt)

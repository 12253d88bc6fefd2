"""Reading and changing a family's wallet, retried while others change it at the same moment."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TypeVar
from uuid import UUID

from eventsourcing.domain import Aggregate
from eventsourcing.persistence import IntegrityError
from kinlink_kit.errors import NotFound, Unavailable

from kinlink_ledger.domain.wallet import MessagingWallet
from kinlink_ledger.service_layer.ledger import Ledger

# Charges and fundings of one account collide on its wallet's version; each retry re-reads it.
MAX_ATTEMPTS = 50

T = TypeVar("T")


def busy() -> Unavailable:
    return Unavailable("wallet_busy", "Too many changes at once to this wallet; try again.")


def require_wallet(ledger: Ledger, account_id: UUID) -> MessagingWallet:
    wallet = ledger.wallet(account_id)
    if wallet is None:
        raise NotFound(
            "subscription_not_found", "There is no messaging subscription for this account."
        )
    return wallet


def change_wallet(
    ledger: Ledger,
    account_id: UUID,
    change: Callable[[MessagingWallet], T],
    *,
    open_new: bool = False,
    also_saving: Callable[[T], Iterable[Aggregate]] = lambda _: (),
) -> tuple[MessagingWallet, T]:
    """Apply `change` to the wallet as it is now and save it, with the aggregates `also_saving`
    names of the change's result; again if someone saved first. With `open_new`, an account
    without a wallet gets one."""
    for _ in range(MAX_ATTEMPTS):
        wallet = ledger.wallet(account_id)
        if wallet is None:
            wallet = MessagingWallet(account_id) if open_new else require_wallet(ledger, account_id)
        result = change(wallet)
        try:
            ledger.store.save(wallet, *also_saving(result))
        except IntegrityError:
            continue
        return wallet, result
    raise busy()

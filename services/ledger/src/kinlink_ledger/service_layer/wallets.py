"""Reading and changing a family's wallet, under the conflict policy: charges and fundings of
one account collide on its wallet's version."""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Iterable
from typing import TypeVar
from uuid import UUID

from eventsourcing.domain import Aggregate

from kinlink_ledger.domain.wallet import MessagingWallet
from kinlink_ledger.domain.wallet import SubscriptionNotFound
from kinlink_ledger.service_layer.ledger import Ledger

T = TypeVar("T")


def require_wallet(ledger: Ledger, account_id: UUID) -> MessagingWallet:
    return ledger.require(
        MessagingWallet.create_id(account_id), MessagingWallet, SubscriptionNotFound
    )


def change_wallet(
    ledger: Ledger,
    account_id: UUID,
    change: Callable[[MessagingWallet], T],
    *,
    open_new: bool = False,
    also_saving: Callable[[T], Iterable[Aggregate]] = lambda _: (),
) -> tuple[MessagingWallet, T]:
    """Apply `change` to the wallet as it is now and save it, with the aggregates `also_saving`
    names of the change's result. With `open_new`, an account without a wallet gets one."""
    return ledger.change(
        MessagingWallet.create_id(account_id),
        MessagingWallet,
        lambda wallet: (wallet, change(wallet)),
        create=(lambda: MessagingWallet(account_id)) if open_new else None,
        missing=None if open_new else SubscriptionNotFound,
        also_saving=lambda changed: also_saving(changed[1]),
    )

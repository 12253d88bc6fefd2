"""The family's wallet as the visit's money sees it: the ledger charges each connected minute
once per reference (`visit:<visit id>:minute:<n>`) at the facility's price, gives a minute back
once, and issues an approved refund as a credit once per reference (`refund:<request id>`).
The adapter is `adapters.ledger_wallet.LedgerWallet`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol
from uuid import UUID

from kinlink_kit.errors import FailedPrecondition
from kinlink_kit.errors import Unavailable

# The ledger's name for what a connected minute costs (the facility sets its price).
VIDEO_MINUTE = "video_minute"


class InsufficientCredit(FailedPrecondition):
    def __init__(self) -> None:
        super().__init__(
            "insufficient_credit",
            "Your account does not cover another minute: add funds, then call again.",
        )


class WalletUnavailable(Unavailable):
    def __init__(self) -> None:
        super().__init__(
            "wallet_unavailable",
            "Your account cannot be reached just now: nothing was charged. Try again in a minute.",
        )


@dataclass(frozen=True)
class ChargeItem:
    kind: str
    quantity: int


ONE_MINUTE = (ChargeItem(VIDEO_MINUTE, 1),)


@dataclass(frozen=True)
class Payment:
    """What the wallet took for one reference."""

    reference: str
    amount_cents: int
    balance_after_cents: int


def minute_reference(visit_id: UUID, minute: int) -> str:
    return f"visit:{visit_id}:minute:{minute}"


def refund_reference(request_id: UUID) -> str:
    return f"refund:{request_id}"


class Wallet(Protocol):
    def charge(
        self, account_id: UUID, facility_id: str, items: tuple[ChargeItem, ...], reference: str
    ) -> Payment:
        """Takes the items' price once per `reference`; a repeat returns the first payment.
        Raises `InsufficientCredit` when the wallet cannot cover it and `WalletUnavailable`
        when the ledger cannot be reached (a charge whose answer was lost may have been
        made: charging the same reference again never charges twice)."""
        ...

    def find_payment(self, account_id: UUID, reference: str) -> Payment | None:
        """What was taken for `reference` (refunded since or not), or None. Never charges."""
        ...

    def refund(self, account_id: UUID, facility_id: str, payment: Payment, reason: str) -> None:
        """Gives `payment` back once, however often it is asked."""
        ...

    def balance(self, account_id: UUID) -> int:
        """What the account can spend, in cents (0 without a wallet): e.g. whether it covers a
        minute before the visitor joins."""
        ...

    def grant_credit(
        self, account_id: UUID, facility_id: str, amount_cents: int, reason: str, reference: str
    ) -> None:
        """Credits the account once per `reference` (an approved refund request)."""
        ...

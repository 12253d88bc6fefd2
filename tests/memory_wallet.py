"""A family's wallet kept in memory with the ledger's promises, for the tests of every service
that charges wallets: one charge per reference, all or nothing and never below zero; a charge
refunded once; a credit granted once per reference; the charges of a wallet serialised.

`unreachable` answers as a ledger that cannot be reached; `killed_after_charging` takes the
charge and dies before the answer; `while_charging` runs once while the ledger is charging
(another request ending what is being paid for). Each service's doubles subclass it with its own
payment type, refusals and prices."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field
from typing import Any
from typing import ClassVar
from typing import Generic
from typing import Protocol
from typing import TypeVar
from uuid import UUID

from kinlink_contracts.facility_settings import FacilitySettings


class ProcessKilled(BaseException):
    """The process died here: nothing after this line of the use case ran."""


class Receipt(Protocol):
    reference: str
    amount_cents: int


PaymentT = TypeVar("PaymentT", bound=Receipt)


@dataclass(kw_only=True)
class MemoryWallet(Generic[PaymentT]):
    balances: dict[UUID, int] = field(default_factory=dict)
    payments: dict[tuple[UUID, str], PaymentT] = field(default_factory=dict)
    refunded: list[str] = field(default_factory=list)
    credits: dict[str, int] = field(default_factory=dict)
    unreachable: bool = False
    killed_after_charging: bool = False
    while_charging: Callable[[], object] | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    # --- what each service's double says: its own types, and its prices ---------------------
    payment: ClassVar[Callable[[str, int, int], Any]]  # (reference, amount, balance after)
    insufficient_credit: ClassVar[Callable[[], Exception]]
    unavailable: ClassVar[Callable[[], Exception]]

    def price(self, facility_id: str, kind: Any) -> int:
        """What one item of `kind` costs at the facility, in cents."""
        raise NotImplementedError

    def covers(self, account_id: UUID, amount_cents: int) -> bool:
        return amount_cents <= self.balances.get(account_id, 0)

    # --- the ledger's promises ---------------------------------------------------------------

    def fund(self, account_id: UUID, cents: int) -> None:
        self.balances[account_id] = self.balances.get(account_id, 0) + cents

    def balance(self, account_id: UUID) -> int:
        self._reach()
        return self.balances.get(account_id, 0)

    def charge(
        self, account_id: UUID, facility_id: str, items: tuple[Any, ...], reference: str
    ) -> PaymentT:
        self._reach()
        meanwhile, self.while_charging = self.while_charging, None
        if meanwhile is not None:
            meanwhile()
        with self.lock:
            first = self.payments.get((account_id, reference))
            if first is not None:
                return first
            amount = sum(self.price(facility_id, item.kind) * item.quantity for item in items)
            if not self.covers(account_id, amount):
                raise self.insufficient_credit()
            balance = self.balances.get(account_id, 0) - amount
            self.balances[account_id] = balance
            payment: PaymentT = self.payment(reference, amount, balance)
            self.payments[(account_id, reference)] = payment
        if self.killed_after_charging:
            raise ProcessKilled()
        return payment

    def find_payment(self, account_id: UUID, reference: str) -> PaymentT | None:
        self._reach()
        return self.payments.get((account_id, reference))

    def refund(self, account_id: UUID, facility_id: str, payment: PaymentT, reason: str) -> None:
        self._reach()
        with self.lock:
            if payment.reference not in self.refunded:
                self.refunded.append(payment.reference)
                self.fund(account_id, payment.amount_cents)

    def grant_credit(
        self, account_id: UUID, facility_id: str, amount_cents: int, reason: str, reference: str
    ) -> None:
        self._reach()
        with self.lock:
            if reference not in self.credits:
                self.credits[reference] = amount_cents
                self.fund(account_id, amount_cents)

    def charged(self, account_id: UUID) -> list[PaymentT]:
        """The account's payments, refunded or not, in the order charged."""
        return [p for (account, _), p in self.payments.items() if account == account_id]

    def _reach(self) -> None:
        if self.unreachable:
            raise self.unavailable()


class Facilities(Protocol):
    def facility(self, facility_id: str) -> FacilitySettings: ...


@dataclass
class MessagePricedWallet(MemoryWallet[PaymentT]):
    """Priced as the facility prices a message (`message_kind`) and an image (`image_kind`)."""

    directory: Facilities
    message_kind: ClassVar[str]
    image_kind: ClassVar[str]

    def price(self, facility_id: str, kind: Any) -> int:
        settings = self.directory.facility(facility_id)
        prices = {
            self.message_kind: settings.message_price_cents,
            self.image_kind: settings.image_price_cents,
        }
        return prices[kind]

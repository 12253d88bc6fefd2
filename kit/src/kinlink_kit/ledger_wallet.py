"""A family member's wallet over the ledger's gRPC API, for the services that charge it
(messaging, the SMS gateway): Charge (items all or nothing, once per reference), GetCharge,
RefundCharge and GetWallet's balance, called from the use cases' worker threads with the
service's own access token (decision 0033).

A deadline bounds every call. The ledger unreachable, too slow, or identity unreachable for a
sign-in: the service's "wallet unavailable". A charge whose answer was lost may have been made:
the caller asks `find_payment` later, never charging again. Each service subclasses
`LedgerWallet` to name its own payment and refusals (its ports' words).
"""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Iterable
from datetime import timedelta
from functools import cached_property
from typing import Generic
from typing import Protocol
from typing import Self
from typing import TypeVar
from uuid import UUID

import grpc
from kinlink.ledger.v1 import ledger_pb2 as pb
from kinlink.ledger.v1.ledger_pb2_grpc import LedgerServiceStub
from pydantic import Field
from pydantic_settings import BaseSettings
from pydantic_settings import SettingsConfigDict

from kinlink_kit.grpc_client import refusal_code
from kinlink_kit.service_account import ServiceAccount
from kinlink_kit.service_call import ServiceClient


class _Payment(Protocol):
    @property
    def reference(self) -> str: ...


PaymentT = TypeVar("PaymentT", bound=_Payment)


class LedgerWalletSettings(BaseSettings):
    """Where the wallet is (mixed into the settings of a service that charges it)."""

    model_config = SettingsConfigDict(env_prefix="KINLINK_", extra="ignore")

    ledger_target: str = Field(
        default="127.0.0.1:50051", description="host:port of the ledger service's gRPC API."
    )
    wallet_deadline_seconds: float = Field(
        default=5.0,
        gt=0,
        description="How long a charge, lookup or refund may take before the wallet is "
        "reported unavailable (a charge then waits for the service's sweep).",
    )


class ChargeItem(Protocol):
    """One of the ledger's kinds (message, image, sms_segment, mms, ...) and how many."""

    @property
    def kind(self) -> str: ...
    @property
    def quantity(self) -> int: ...


class LedgerWallet(ServiceClient, Generic[PaymentT]):
    """Subclassed once per service, naming its ports' payment and refusals:
    `class LedgerWallet(ledger_wallet.LedgerWallet[Payment], payment=Payment, ...)`."""

    callee = "ledger"
    _make_payment: Callable[[str, int, int], PaymentT]
    _insufficient_credit: type[Exception]

    def __init_subclass__(
        cls,
        *,
        payment: Callable[[str, int, int], PaymentT],
        insufficient_credit: type[Exception],
        unavailable: type[Exception],
    ) -> None:
        super().__init_subclass__()
        cls._make_payment = staticmethod(payment)  # type: ignore[assignment]
        cls._insufficient_credit = insufficient_credit
        cls.unavailable = unavailable

    @cached_property
    def _ledger(self) -> LedgerServiceStub:
        return LedgerServiceStub(self.channel)

    @classmethod
    def from_settings(cls, settings: LedgerWalletSettings, service_account: ServiceAccount) -> Self:
        deadline = timedelta(seconds=settings.wallet_deadline_seconds)
        return cls(settings.ledger_target, service_account, deadline)

    def charge(
        self, account_id: UUID, facility_id: str, items: Iterable[ChargeItem], reference: str
    ) -> PaymentT:
        request = pb.ChargeRequest(
            account_id=str(account_id),
            facility_id=facility_id,
            items=[pb.ChargeItem(kind=str(item.kind), quantity=item.quantity) for item in items],
            reference=reference,
        )
        try:
            charge = self.call("Charge", self._ledger.Charge, request)
        except grpc.RpcError as error:
            if refusal_code(error) == "insufficient_credit":
                raise self._insufficient_credit() from error
            raise
        return self._payment(charge)

    def find_payment(self, account_id: UUID, reference: str) -> PaymentT | None:
        request = pb.GetChargeRequest(account_id=str(account_id), reference=reference)
        try:
            return self._payment(self.call("GetCharge", self._ledger.GetCharge, request))
        except grpc.RpcError as error:
            if refusal_code(error) == "charge_not_found":
                return None
            raise

    def refund(self, account_id: UUID, facility_id: str, payment: PaymentT, reason: str) -> None:
        request = pb.RefundChargeRequest(
            account_id=str(account_id), reference=payment.reference, reason=reason
        )
        self.call("RefundCharge", self._ledger.RefundCharge, request)

    def balance(self, account_id: UUID) -> int:
        """What the account can spend, in cents: 0 without a messaging subscription."""
        request = pb.GetWalletRequest(account_id=str(account_id))
        try:
            return self.call("GetWallet", self._ledger.GetWallet, request).balance_cents
        except grpc.RpcError as error:
            if refusal_code(error) == "subscription_not_found":
                return 0
            raise

    def _payment(self, charge: pb.WalletCharge) -> PaymentT:
        return self._make_payment(charge.reference, charge.amount_cents, charge.balance_after_cents)

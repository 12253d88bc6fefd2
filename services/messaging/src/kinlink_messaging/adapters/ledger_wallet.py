"""The `Wallet` over the ledger's gRPC API: Charge (a message and its images in one charge, all
or nothing), GetCharge (the payment sweep's question) and RefundCharge, each once per
reference, called from the use cases' worker threads with the service's own access token
(decision 0033).

A deadline bounds every call. The ledger unreachable, too slow, or identity unreachable for a
sign-in: `WalletUnavailable`. A charge whose answer was lost may have been made; the message
then waits `awaiting_payment` and the sweep asks `find_payment`, never charging again.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import timedelta
from typing import TypeVar
from uuid import UUID

import grpc
from kinlink.ledger.v1 import ledger_pb2 as pb
from kinlink.ledger.v1.ledger_pb2_grpc import LedgerServiceStub
from kinlink_kit.errors import Unavailable
from kinlink_kit.grpc_client import PASSING
from kinlink_kit.grpc_client import refusal_code
from kinlink_kit.grpc_client import status_of
from kinlink_kit.logging import get_logger
from kinlink_kit.metrics import OUTGOING_RPC_SECONDS
from kinlink_kit.service_account import Metadata
from kinlink_kit.service_account import ServiceAccount
from pydantic import Field
from pydantic_settings import BaseSettings
from pydantic_settings import SettingsConfigDict

from kinlink_messaging.domain.ports import ChargeItem
from kinlink_messaging.domain.ports import InsufficientCredit
from kinlink_messaging.domain.ports import Payment
from kinlink_messaging.domain.ports import WalletUnavailable

log = get_logger(__name__)
Answer = TypeVar("Answer")


class LedgerWalletSettings(BaseSettings):
    """Where the wallet is (mixed into messaging's settings)."""

    model_config = SettingsConfigDict(env_prefix="KINLINK_", extra="ignore")

    ledger_target: str = Field(
        default="127.0.0.1:50051", description="host:port of the ledger service's gRPC API."
    )
    wallet_deadline_seconds: float = Field(
        default=5.0,
        gt=0,
        description="How long a charge, lookup or refund may take before the wallet is "
        "reported unavailable (a charge then waits for the payment sweep).",
    )


class LedgerWallet:
    def __init__(
        self,
        target: str,
        service_account: ServiceAccount,
        deadline: timedelta = timedelta(seconds=5),
    ) -> None:
        self._channel = grpc.insecure_channel(target)
        self._ledger = LedgerServiceStub(self._channel)
        self._service_account = service_account
        self._deadline = deadline.total_seconds()

    @classmethod
    def from_settings(
        cls, settings: LedgerWalletSettings, service_account: ServiceAccount
    ) -> LedgerWallet:
        deadline = timedelta(seconds=settings.wallet_deadline_seconds)
        return cls(settings.ledger_target, service_account, deadline)

    def charge(
        self, account_id: UUID, facility_id: str, items: tuple[ChargeItem, ...], reference: str
    ) -> Payment:
        request = pb.ChargeRequest(
            account_id=str(account_id),
            facility_id=facility_id,
            items=[pb.ChargeItem(kind=item.kind.value, quantity=item.quantity) for item in items],
            reference=reference,
        )
        try:
            charge = self._call("Charge", self._ledger.Charge, request)
        except grpc.RpcError as error:
            if refusal_code(error) == "insufficient_credit":
                raise InsufficientCredit() from error
            raise
        return _payment(charge)

    def find_payment(self, account_id: UUID, reference: str) -> Payment | None:
        request = pb.GetChargeRequest(account_id=str(account_id), reference=reference)
        try:
            return _payment(self._call("GetCharge", self._ledger.GetCharge, request))
        except grpc.RpcError as error:
            if refusal_code(error) == "charge_not_found":
                return None
            raise

    def refund(self, account_id: UUID, facility_id: str, payment: Payment, reason: str) -> None:
        request = pb.RefundChargeRequest(
            account_id=str(account_id), reference=payment.reference, reason=reason
        )
        self._call("RefundCharge", self._ledger.RefundCharge, request)

    def close(self) -> None:
        self._channel.close()

    def _call(self, method: str, rpc: Callable[..., Answer], request: object) -> Answer:
        """`rpc(request)` with the service's token and the deadline. A failure that may pass
        becomes `WalletUnavailable`; the ledger's refusals are raised as they came."""

        def calling(metadata: Metadata) -> Answer:
            return rpc(request, metadata=metadata, timeout=self._deadline)

        started, code = time.perf_counter(), grpc.StatusCode.OK
        try:
            return self._service_account.call(calling)
        except Unavailable as error:  # no sign-in: nothing was asked of the ledger
            code = grpc.StatusCode.UNAVAILABLE
            raise WalletUnavailable() from error
        except grpc.RpcError as error:
            code = status_of(error)
            if code in PASSING:
                log.warning("wallet unavailable", method=method, code=code.name)
                raise WalletUnavailable() from error
            raise
        finally:
            elapsed = time.perf_counter() - started
            OUTGOING_RPC_SECONDS.labels(f"ledger.{method}", code.name).observe(elapsed)


def _payment(charge: pb.WalletCharge) -> Payment:
    return Payment(charge.reference, charge.amount_cents, charge.balance_after_cents)

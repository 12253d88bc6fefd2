"""The commissary's client of the ledger's gRPC API, called from the use cases' worker threads as
the commissary's own service account (decision 0033): where the ledger is, how long a call may
take, and the stub both the allowance holds and the order charges use."""

from __future__ import annotations

from datetime import timedelta
from functools import cached_property
from typing import Self

from kinlink.ledger.v1.ledger_pb2_grpc import LedgerServiceStub
from kinlink_kit.service_account import ServiceAccount
from kinlink_kit.service_call import ServiceClient
from pydantic import Field
from pydantic_settings import BaseSettings
from pydantic_settings import SettingsConfigDict

from kinlink_commissary.domain.ports import LedgerUnavailable


class LedgerSettings(BaseSettings):
    """Where the ledger is (mixed into the commissary's settings)."""

    model_config = SettingsConfigDict(env_prefix="KINLINK_", extra="ignore")

    ledger_target: str = Field(
        default="127.0.0.1:50051", description="host:port of the ledger service's gRPC API."
    )
    ledger_deadline_seconds: float = Field(
        default=10.0,
        gt=0,
        description="How long a call to the ledger (a card hold, a charge) may take before the "
        "ledger is reported unavailable; the same request may then be repeated.",
    )


class LedgerClient(ServiceClient):
    callee = "ledger"
    unavailable = LedgerUnavailable

    @cached_property
    def _ledger(self) -> LedgerServiceStub:
        return LedgerServiceStub(self.channel)

    @classmethod
    def from_settings(cls, settings: LedgerSettings, service_account: ServiceAccount) -> Self:
        return cls(
            settings.ledger_target,
            service_account,
            timedelta(seconds=settings.ledger_deadline_seconds),
        )

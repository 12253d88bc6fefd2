"""Payments in flight: each deposit, wallet funding, allowance capture and commissary order's
attempt from when the card processor is asked until its outcome is recorded. The payment sweep
finishes the ones left there, and counts them (decision 0016).

A row is never deleted, only marked ended: a replica whose projector lags behind must not bring
back, by applying the start again, a payment another replica saw end.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from kinlink_kit.projection import Projection
from kinlink_kit.views import Row
from kinlink_kit.views import ViewCursor

from kinlink_ledger.domain.allowance import CommissaryAllowance
from kinlink_ledger.domain.deposit import Deposit
from kinlink_ledger.domain.order_charge import OrderCharge
from kinlink_ledger.domain.wallet import MessagingWallet


class PaymentKind(StrEnum):
    DEPOSIT = "deposit"
    WALLET_FUNDING = "wallet_funding"
    ALLOWANCE_CAPTURE = "allowance_capture"
    COMMISSARY_ORDER = "commissary_order"


class PaymentsInFlightProjection(Projection):
    name = "payments_in_flight"
    event_types = (
        Deposit.Requested,
        Deposit.Captured,
        Deposit.Declined,
        MessagingWallet.FundingStarted,
        MessagingWallet.Funded,
        MessagingWallet.FundingFailed,
        CommissaryAllowance.EndBegun,
        CommissaryAllowance.Ended,
        OrderCharge.AttemptBegun,
        OrderCharge.Captured,
        OrderCharge.Declined,
    )
    ddl = """
    CREATE TABLE IF NOT EXISTS payments_in_flight (
        payment_id TEXT PRIMARY KEY,
        kind TEXT NOT NULL,
        aggregate_id TEXT NOT NULL,
        started_at TEXT NOT NULL,
        ended INTEGER NOT NULL  -- 0 or 1, alike on both stores
    );
    CREATE INDEX IF NOT EXISTS payments_in_flight_open
        ON payments_in_flight (started_at) WHERE ended = 0
    """

    def apply(self, cursor: ViewCursor, domain_event: Any, position: int) -> None:
        aggregate_id = str(domain_event.originator_id)
        if isinstance(domain_event, Deposit.Requested):
            self._started(
                cursor, aggregate_id, PaymentKind.DEPOSIT, aggregate_id, domain_event.requested_at
            )
        elif isinstance(domain_event, MessagingWallet.FundingStarted):
            self._started(
                cursor,
                str(domain_event.funding_id),
                PaymentKind.WALLET_FUNDING,
                aggregate_id,
                domain_event.started_at,
            )
        elif isinstance(domain_event, CommissaryAllowance.EndBegun):
            self._started(
                cursor,
                aggregate_id,
                PaymentKind.ALLOWANCE_CAPTURE,
                aggregate_id,
                domain_event.timestamp,
            )
        elif isinstance(domain_event, MessagingWallet.Funded | MessagingWallet.FundingFailed):
            self._ended(
                cursor, str(domain_event.funding_id), PaymentKind.WALLET_FUNDING, aggregate_id
            )
        elif isinstance(domain_event, Deposit.Captured | Deposit.Declined):
            self._ended(cursor, aggregate_id, PaymentKind.DEPOSIT, aggregate_id)
        elif isinstance(domain_event, OrderCharge.AttemptBegun):
            self._started(
                cursor,
                f"{aggregate_id}/{domain_event.attempt}",
                PaymentKind.COMMISSARY_ORDER,
                aggregate_id,
                domain_event.started_at,
            )
        elif isinstance(domain_event, OrderCharge.Captured | OrderCharge.Declined):
            payment_id = f"{aggregate_id}/{domain_event.attempt}"
            self._ended(cursor, payment_id, PaymentKind.COMMISSARY_ORDER, aggregate_id)
        else:
            self._ended(cursor, aggregate_id, PaymentKind.ALLOWANCE_CAPTURE, aggregate_id)

    @staticmethod
    def _started(
        cursor: ViewCursor, payment_id: str, kind: PaymentKind, aggregate_id: str, at: datetime
    ) -> None:
        cursor.execute(
            "INSERT INTO payments_in_flight (payment_id, kind, aggregate_id, started_at, ended) "
            "VALUES (:payment_id, :kind, :aggregate_id, :started_at, 0) "
            "ON CONFLICT (payment_id) DO NOTHING",
            {
                "payment_id": payment_id,
                "kind": kind.value,
                "aggregate_id": aggregate_id,
                "started_at": at.isoformat(),
            },
        )

    @staticmethod
    def _ended(cursor: ViewCursor, payment_id: str, kind: PaymentKind, aggregate_id: str) -> None:
        cursor.execute(
            "INSERT INTO payments_in_flight (payment_id, kind, aggregate_id, started_at, ended) "
            "VALUES (:payment_id, :kind, :aggregate_id, '', 1) "
            "ON CONFLICT (payment_id) DO UPDATE SET ended = 1",
            {"payment_id": payment_id, "kind": kind.value, "aggregate_id": aggregate_id},
        )

    def in_flight(self) -> list[Row]:
        """The payments without a recorded outcome, oldest first."""
        self.catch_up()
        return self.views.query(
            "SELECT payment_id, kind, aggregate_id, started_at FROM payments_in_flight "
            "WHERE ended = 0 ORDER BY started_at",
            {},
        )

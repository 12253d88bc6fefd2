"""QuoteDeposit, ConfirmDeposit, GetDeposit and ListDeposits: deposits to residents' accounts."""

from __future__ import annotations

import asyncio

import grpc
import structlog
from kinlink.ledger.v1 import ledger_pb2 as pb
from kinlink_kit.auth import AccessPolicy
from kinlink_kit.auth import Role
from kinlink_kit.auth import current_principal
from kinlink_kit.grpc_helpers import proto_enum
from kinlink_kit.grpc_helpers import request_fields

from kinlink_ledger.domain.deposit import DepositStatus
from kinlink_ledger.domain.money import Cents
from kinlink_ledger.domain.quote import DepositQuote
from kinlink_ledger.entrypoints.messages import REQUEST_FIELDS
from kinlink_ledger.entrypoints.messages import method
from kinlink_ledger.entrypoints.messages import timestamp
from kinlink_ledger.service_layer.confirm_deposit import ConfirmDeposit
from kinlink_ledger.service_layer.confirm_deposit import confirm_deposit
from kinlink_ledger.service_layer.deposit_history import DepositRecord
from kinlink_ledger.service_layer.deposit_history import ListDeposits
from kinlink_ledger.service_layer.deposit_history import get_deposit
from kinlink_ledger.service_layer.deposit_history import list_deposits
from kinlink_ledger.service_layer.ledger import Ledger
from kinlink_ledger.service_layer.quote_deposit import QuoteDeposit
from kinlink_ledger.service_layer.quote_deposit import quote_deposit

_FAMILY = frozenset({Role.FAMILY_MEMBER})
# Which deposits each of them sees is decided per deposit (service_layer.deposit_history).
_VIEWERS = frozenset({Role.FAMILY_MEMBER, Role.FACILITY_OFFICER, Role.OPERATOR, Role.AUDITOR})
DEPOSITS_POLICY: AccessPolicy = {
    method("QuoteDeposit"): _FAMILY,
    method("ConfirmDeposit"): _FAMILY,
    method("GetDeposit"): _VIEWERS,
    method("ListDeposits"): _VIEWERS,
}

_STATUS = proto_enum(DepositStatus, pb.DepositStatus)


def quote_message(quote: DepositQuote) -> pb.DepositQuote:
    return pb.DepositQuote(
        quote_id=str(quote.id),
        facility_id=quote.facility_id,
        resident_id=quote.resident_id,
        depositor_id=quote.depositor_id,
        amount_cents=quote.amount,
        fee_cents=quote.fee,
        total_cents=quote.total,
        weekly_remaining_cents=quote.weekly_remaining,
        weekly_limit_cents=quote.weekly_limit,
        expires_at=timestamp(quote.expires_at),
    )


def deposit_message(deposit: DepositRecord) -> pb.Deposit:
    message = pb.Deposit(
        deposit_id=str(deposit.deposit_id),
        quote_id=str(deposit.quote_id),
        facility_id=deposit.facility_id,
        resident_id=deposit.resident_id,
        depositor_id=deposit.depositor_id,
        amount_cents=deposit.amount,
        fee_cents=deposit.fee,
        total_cents=deposit.total,
        status=_STATUS[deposit.status],
        decline_reason=deposit.decline_reason or "",
        requested_at=timestamp(deposit.requested_at),
        week_start=deposit.week_start,
    )
    if deposit.payment_reference and deposit.captured_at:
        message.receipt.CopyFrom(
            pb.Receipt(
                receipt_number=deposit.receipt_number,
                payment_reference=deposit.payment_reference,
                captured_at=timestamp(deposit.captured_at),
            )
        )
    return message


class DepositsApi:
    ledger: Ledger

    async def QuoteDeposit(
        self, request: pb.QuoteDepositRequest, context: grpc.aio.ServicerContext
    ) -> pb.DepositQuote:
        depositor = current_principal()
        command = QuoteDeposit(
            request.facility_id,
            request.resident_id,
            depositor.account_id,
            Cents(request.amount_cents),
            depositor_verified=depositor.id_verified,
        )
        with request_fields(REQUEST_FIELDS):
            quote = await asyncio.to_thread(quote_deposit, self.ledger, command)
        return quote_message(quote)

    async def ConfirmDeposit(
        self, request: pb.ConfirmDepositRequest, context: grpc.aio.ServicerContext
    ) -> pb.Deposit:
        correlation_id = structlog.contextvars.get_contextvars().get("correlation_id", "")
        depositor = current_principal()
        command = ConfirmDeposit(
            request.quote_id,
            depositor.account_id,
            request.payment_method,
            request.idempotency_key,
            correlation_id,
            depositor_verified=depositor.id_verified,
        )
        with request_fields(REQUEST_FIELDS):
            deposit = await asyncio.to_thread(confirm_deposit, self.ledger, command)
        return deposit_message(DepositRecord.of(deposit))

    async def GetDeposit(
        self, request: pb.GetDepositRequest, context: grpc.aio.ServicerContext
    ) -> pb.Deposit:
        with request_fields(REQUEST_FIELDS):
            deposit = await asyncio.to_thread(
                get_deposit, self.ledger, request.deposit_id, current_principal()
            )
        return deposit_message(deposit)

    async def ListDeposits(
        self, request: pb.ListDepositsRequest, context: grpc.aio.ServicerContext
    ) -> pb.ListDepositsResponse:
        query = ListDeposits(request.depositor_id, request.facility_id, request.resident_id)
        with request_fields(REQUEST_FIELDS):
            deposits = await asyncio.to_thread(
                list_deposits, self.ledger, current_principal(), query
            )
        return pb.ListDepositsResponse(deposits=[deposit_message(d) for d in deposits])

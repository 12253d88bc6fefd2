"""ListResidentTransactions: deposits and commissary orders paid for a resident."""

from __future__ import annotations

import asyncio

import grpc
from kinlink.ledger.v1 import ledger_pb2 as pb
from kinlink_kit.auth import AccessPolicy
from kinlink_kit.auth import current_principal
from kinlink_kit.grpc_helpers import proto_enum
from kinlink_kit.grpc_helpers import request_fields

from kinlink_ledger.adapters.resident_transactions_view import TransactionKind
from kinlink_ledger.entrypoints.deposits_api import DEPOSITS_POLICY
from kinlink_ledger.entrypoints.messages import REQUEST_FIELDS
from kinlink_ledger.entrypoints.messages import method
from kinlink_ledger.entrypoints.messages import timestamp
from kinlink_ledger.service_layer.ledger import Ledger
from kinlink_ledger.service_layer.resident_transactions import ResidentTransaction
from kinlink_ledger.service_layer.resident_transactions import list_resident_transactions

# Whoever may list a resident's deposits; which transactions each sees is decided in
# service_layer.resident_transactions, by the same rule.
RESIDENT_TRANSACTIONS_POLICY: AccessPolicy = {
    method("ListResidentTransactions"): DEPOSITS_POLICY[method("ListDeposits")],
}

_KIND = proto_enum(TransactionKind, pb.TransactionKind)


def transaction_message(transaction: ResidentTransaction) -> pb.ResidentTransaction:
    return pb.ResidentTransaction(
        kind=_KIND[transaction.kind],
        transaction_id=transaction.transaction_id,
        facility_id=transaction.facility_id,
        resident_id=transaction.resident_id,
        account_id=transaction.account_id,
        amount_cents=transaction.amount,
        fee_cents=transaction.fee,
        status=transaction.status,
        receipt_number=transaction.receipt_number,
        occurred_at=timestamp(transaction.occurred_at),
    )


class ResidentTransactionsApi:
    ledger: Ledger

    async def ListResidentTransactions(
        self, request: pb.ListResidentTransactionsRequest, context: grpc.aio.ServicerContext
    ) -> pb.ListResidentTransactionsResponse:
        with request_fields(REQUEST_FIELDS):
            transactions = await asyncio.to_thread(
                list_resident_transactions,
                self.ledger,
                current_principal(),
                request.facility_id,
                request.resident_id,
            )
        return pb.ListResidentTransactionsResponse(
            transactions=[transaction_message(t) for t in transactions]
        )

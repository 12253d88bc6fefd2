"""GetReceipt and PrintReceipt: a captured payment's receipt, as a message or a printable
document."""

from __future__ import annotations

import asyncio

import grpc
from kinlink.ledger.v1 import ledger_pb2 as pb
from kinlink_kit.auth import AccessPolicy
from kinlink_kit.auth import Role
from kinlink_kit.auth import current_principal
from kinlink_kit.grpc_helpers import proto_enum
from kinlink_kit.grpc_helpers import request_fields

from kinlink_ledger.adapters import receipt_document
from kinlink_ledger.domain.receipt import Receipt
from kinlink_ledger.domain.receipt import ReceiptKind
from kinlink_ledger.entrypoints.messages import REQUEST_FIELDS
from kinlink_ledger.entrypoints.messages import method
from kinlink_ledger.entrypoints.messages import timestamp
from kinlink_ledger.service_layer.ledger import Ledger
from kinlink_ledger.service_layer.receipts import get_receipt
from kinlink_ledger.service_layer.receipts import print_receipt

# Which receipts each of them sees is decided per receipt (service_layer.receipts).
_VIEWERS = frozenset({Role.FAMILY_MEMBER, Role.FACILITY_OFFICER, Role.OPERATOR, Role.AUDITOR})
RECEIPTS_POLICY: AccessPolicy = {
    method("GetReceipt"): _VIEWERS,
    method("PrintReceipt"): _VIEWERS,
}

_KIND = proto_enum(ReceiptKind, pb.ReceiptKind)


def receipt_message(receipt: Receipt) -> pb.PaymentReceipt:
    message = pb.PaymentReceipt(
        receipt_number=receipt.receipt_number,
        kind=_KIND[receipt.kind],
        account_id=receipt.account_id,
        facility_id=receipt.facility_id,
        facility_name=receipt.facility_name,
        resident_id=receipt.resident_id,
        lines=[
            pb.ReceiptLine(description=line.description, amount_cents=line.amount)
            for line in receipt.lines
        ],
        total_cents=receipt.total,
        payment_reference=receipt.payment_reference,
        captured_at=timestamp(receipt.captured_at),
    )
    if receipt.hold is not None:
        message.hold.CopyFrom(
            pb.ReceiptHold(
                authorized_cents=receipt.hold.authorized, released_cents=receipt.hold.released
            )
        )
    return message


class ReceiptsApi:
    ledger: Ledger

    async def GetReceipt(
        self, request: pb.GetReceiptRequest, context: grpc.aio.ServicerContext
    ) -> pb.PaymentReceipt:
        with request_fields(REQUEST_FIELDS):
            receipt = await asyncio.to_thread(
                get_receipt, self.ledger, request.receipt_number, current_principal()
            )
        return receipt_message(receipt)

    async def PrintReceipt(
        self, request: pb.GetReceiptRequest, context: grpc.aio.ServicerContext
    ) -> pb.ReceiptDocument:
        with request_fields(REQUEST_FIELDS):
            content = await asyncio.to_thread(
                print_receipt, self.ledger, request.receipt_number, current_principal()
            )
        return pb.ReceiptDocument(content_type=receipt_document.CONTENT_TYPE, content=content)

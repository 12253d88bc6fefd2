"""ChargeOrder and GetOrderCharge: the commissary charges a family's card for an order."""

from __future__ import annotations

import asyncio

import grpc
from kinlink.ledger.v1 import ledger_pb2 as pb
from kinlink_kit.auth import AccessPolicy
from kinlink_kit.auth import Role
from kinlink_kit.auth import current_principal
from kinlink_kit.grpc_helpers import parse_id
from kinlink_kit.grpc_helpers import proto_enum
from kinlink_kit.grpc_helpers import request_fields

from kinlink_ledger.domain.money import Cents
from kinlink_ledger.domain.order_charge import AttemptStatus
from kinlink_ledger.entrypoints.messages import REQUEST_FIELDS
from kinlink_ledger.entrypoints.messages import method
from kinlink_ledger.entrypoints.messages import timestamp
from kinlink_ledger.entrypoints.wallet_api import own_or_named_account
from kinlink_ledger.service_layer.charge_order import ChargeOrder
from kinlink_ledger.service_layer.charge_order import OrderChargeAnswer
from kinlink_ledger.service_layer.charge_order import charge_order
from kinlink_ledger.service_layer.charge_order import get_order_charge
from kinlink_ledger.service_layer.ledger import Ledger

# Only the commissary charges orders, for the family member who placed them; as for Charge.
COMMISSARY_ORDERS_POLICY: AccessPolicy = {
    method("ChargeOrder"): frozenset({Role.PLATFORM_SERVICE}),
    method("GetOrderCharge"): frozenset({Role.PLATFORM_SERVICE, Role.OPERATOR, Role.AUDITOR}),
}

_STATUS = proto_enum(AttemptStatus, pb.OrderChargeStatus)
_FIELDS = {
    "attempt_not_positive": "attempt",
    "order_charge_reused": "order_id",
    "order_charge_not_found": "order_id",
    "charge_in_progress": "order_id",
}


def order_charge_message(answer: OrderChargeAnswer) -> pb.OrderCharge:
    charge, attempt = answer.charge, answer.attempt
    message = pb.OrderCharge(
        order_id=str(charge.order_id),
        attempt=attempt.number,
        account_id=str(charge.account_id),
        facility_id=charge.facility_id,
        resident_id=charge.resident_id,
        amount_cents=attempt.amount,
        status=_STATUS[attempt.status],
        decline_reason=attempt.decline_reason or "",
        receipt_number=charge.receipt_number if attempt.status is AttemptStatus.CAPTURED else "",
    )
    if attempt.charged_at is not None:
        message.charged_at.CopyFrom(timestamp(attempt.charged_at))
    return message


class CommissaryOrdersApi:
    ledger: Ledger

    async def ChargeOrder(
        self, request: pb.ChargeOrderRequest, context: grpc.aio.ServicerContext
    ) -> pb.OrderCharge:
        with request_fields(REQUEST_FIELDS, _FIELDS):
            command = ChargeOrder(
                parse_id(request.order_id, "order_id"),
                request.attempt,
                own_or_named_account(current_principal(), request.account_id),
                request.facility_id,
                request.resident_id,
                Cents(request.amount_cents),
                request.payment_method,
            )
            answer = await asyncio.to_thread(charge_order, self.ledger, command)
        return order_charge_message(answer)

    async def GetOrderCharge(
        self, request: pb.GetOrderChargeRequest, context: grpc.aio.ServicerContext
    ) -> pb.OrderCharge:
        with request_fields(REQUEST_FIELDS, _FIELDS):
            answer = await asyncio.to_thread(get_order_charge, self.ledger, request.order_id)
        return order_charge_message(answer)

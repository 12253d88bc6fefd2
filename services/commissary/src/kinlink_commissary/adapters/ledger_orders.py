"""The `OrderCharges` port over the ledger's gRPC API (ChargeOrder).

The ledger busy with another attempt of the same order (`charge_in_progress`, or any ABORTED) is,
for the order, an answer not come yet: it stays processing and is asked again. A refusal of the
order's card (not the family member's, prepaid, a brand the facility does not take) is a decline
with that code: the family chooses another card, as after any decline."""

from __future__ import annotations

from datetime import UTC

import grpc
from kinlink.ledger.v1 import ledger_pb2 as pb
from kinlink_kit.grpc_client import refusal_code
from kinlink_kit.grpc_client import status_of

from kinlink_commissary.adapters.ledger_client import LedgerClient
from kinlink_commissary.domain.ports import ChargeRequest
from kinlink_commissary.domain.ports import ChargeStatus
from kinlink_commissary.domain.ports import LedgerUnavailable
from kinlink_commissary.domain.ports import OrderCharge

_STATUSES = {
    pb.ORDER_CHARGE_STATUS_PENDING: ChargeStatus.PENDING,
    pb.ORDER_CHARGE_STATUS_CAPTURED: ChargeStatus.CAPTURED,
    pb.ORDER_CHARGE_STATUS_DECLINED: ChargeStatus.DECLINED,
}

_CARD_REFUSALS = (
    grpc.StatusCode.INVALID_ARGUMENT,
    grpc.StatusCode.NOT_FOUND,
    grpc.StatusCode.FAILED_PRECONDITION,
)


class LedgerOrderCharges(LedgerClient):
    def charge(self, request: ChargeRequest) -> OrderCharge:
        message = pb.ChargeOrderRequest(
            order_id=str(request.order_id),
            attempt=request.attempt,
            account_id=str(request.account_id),
            facility_id=request.facility_id,
            resident_id=request.resident_id,
            amount_cents=request.amount_cents,
            payment_method=request.payment_method,
        )
        try:
            answer = self.call("ChargeOrder", self._ledger.ChargeOrder, message)
        except grpc.RpcError as error:
            status, code = status_of(error), refusal_code(error)
            if status is grpc.StatusCode.ABORTED:
                raise LedgerUnavailable() from error
            if status in _CARD_REFUSALS and code:
                return OrderCharge(ChargeStatus.DECLINED, decline_reason=code)
            raise
        return OrderCharge(
            status=_STATUSES[answer.status],
            decline_reason=answer.decline_reason,
            receipt_number=answer.receipt_number,
            charged_at=answer.charged_at.ToDatetime(tzinfo=UTC)
            if answer.HasField("charged_at")
            else None,
        )

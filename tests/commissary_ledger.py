"""The real ledger charging the commissary's orders in the same process: the commissary's
`OrderCharges` port answered by the ledger's own ChargeOrder use case, as its gRPC servicer
would (tests of money across both services: the processor's charges and the journal)."""

from __future__ import annotations

from dataclasses import dataclass

from kinlink_commissary.domain.ports import ChargeRequest
from kinlink_commissary.domain.ports import ChargeStatus
from kinlink_commissary.domain.ports import LedgerUnavailable
from kinlink_commissary.domain.ports import OrderCharge
from kinlink_kit.errors import ClientError
from kinlink_kit.errors import ErrorKind
from kinlink_ledger.domain.money import Cents
from kinlink_ledger.domain.order_charge import AttemptStatus
from kinlink_ledger.service_layer.charge_order import ChargeOrder
from kinlink_ledger.service_layer.charge_order import charge_order
from kinlink_ledger.service_layer.ledger import Ledger

_STATUSES = {
    AttemptStatus.PENDING: ChargeStatus.PENDING,
    AttemptStatus.CAPTURED: ChargeStatus.CAPTURED,
    AttemptStatus.DECLINED: ChargeStatus.DECLINED,
}


@dataclass
class LedgerInProcess:
    ledger: Ledger

    def charge(self, request: ChargeRequest) -> OrderCharge:
        command = ChargeOrder(
            order_id=request.order_id,
            attempt=request.attempt,
            account_id=request.account_id,
            facility_id=request.facility_id,
            resident_id=request.resident_id,
            amount=Cents(request.amount_cents),
            payment_method=request.payment_method,
        )
        try:
            answer = charge_order(self.ledger, command)
        except ClientError as error:
            if error.kind in (ErrorKind.ABORTED, ErrorKind.UNAVAILABLE):
                raise LedgerUnavailable() from error
            raise
        attempt = answer.attempt
        captured = attempt.status is AttemptStatus.CAPTURED
        return OrderCharge(
            status=_STATUSES[attempt.status],
            decline_reason=attempt.decline_reason.value if attempt.decline_reason else "",
            receipt_number=answer.charge.receipt_number if captured else "",
            charged_at=attempt.charged_at,
        )

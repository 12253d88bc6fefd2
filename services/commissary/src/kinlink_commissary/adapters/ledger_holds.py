"""The `AllowanceHolds` port over the ledger's gRPC API (AuthorizeAllowance).

The ledger's refusals of the request (a card not the family member's, an unknown facility) reach
the family member as the ledger gave them: the same kind of refusal, code and message."""

from __future__ import annotations

from uuid import UUID

import grpc
from kinlink.ledger.v1 import ledger_pb2 as pb
from kinlink_kit.errors import AlreadyExists
from kinlink_kit.errors import ClientError
from kinlink_kit.errors import ConcurrentChange
from kinlink_kit.errors import FailedPrecondition
from kinlink_kit.errors import InvalidArgument
from kinlink_kit.errors import NotFound
from kinlink_kit.errors import PermissionDenied
from kinlink_kit.grpc_client import refusal_code
from kinlink_kit.grpc_client import status_of

from kinlink_commissary.adapters.ledger_client import LedgerClient
from kinlink_commissary.domain.ports import AllowanceRequest
from kinlink_commissary.domain.ports import Hold

# The ledger's refusals of a request, as the same kind of refusal here.
_REFUSALS: dict[grpc.StatusCode, type[ClientError]] = {
    grpc.StatusCode.INVALID_ARGUMENT: InvalidArgument,
    grpc.StatusCode.NOT_FOUND: NotFound,
    grpc.StatusCode.ALREADY_EXISTS: AlreadyExists,
    grpc.StatusCode.PERMISSION_DENIED: PermissionDenied,
    grpc.StatusCode.FAILED_PRECONDITION: FailedPrecondition,
    grpc.StatusCode.ABORTED: ConcurrentChange,
}


def ledger_refusal(error: grpc.RpcError) -> Exception:
    """The ledger's refusal with its code and message; anything else (a bug, a refused service
    account) stays the RpcError it was: an internal error here too."""
    refusal, code = _REFUSALS.get(status_of(error)), refusal_code(error)
    if refusal is None or not code:
        return error
    if refusal is ConcurrentChange:
        return ConcurrentChange()
    return refusal(code, error.details() or code)  # type: ignore[attr-defined]


class LedgerHolds(LedgerClient):
    def authorize(self, allowance_id: UUID, request: AllowanceRequest) -> Hold:
        message = pb.AuthorizeAllowanceRequest(
            allowance_id=str(allowance_id),
            account_id=str(request.account_id),
            facility_id=request.facility_id,
            resident_id=request.resident_id,
            amount_cents=request.amount_cents,
            payment_method=request.payment_method,
        )
        try:
            answer = self.call("AuthorizeAllowance", self._ledger.AuthorizeAllowance, message)
        except grpc.RpcError as error:
            raise ledger_refusal(error) from error
        if answer.status == pb.ALLOWANCE_STATUS_DECLINED:
            return Hold(held=False, decline_reason=answer.decline_reason)
        return Hold(held=True)

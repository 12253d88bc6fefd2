"""What a service calling another over gRPC reads of the answer: whether a failure may pass
(the callee could not answer now), and a refusal's stable code."""

from __future__ import annotations

import grpc
from google.rpc import error_details_pb2
from grpc_status import rpc_status

# The callee did not answer in time or could not be reached: the call may succeed later.
PASSING = frozenset({grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED})


def status_of(error: grpc.RpcError) -> grpc.StatusCode:
    return error.code()  # type: ignore[attr-defined,no-any-return]


def refusal_code(error: grpc.RpcError) -> str:
    """The stable code of a Kinlink service's refusal (its ErrorInfo reason), or "" when the
    error carries none (e.g. the callee could not be reached)."""
    status = rpc_status.from_call(error)  # type: ignore[arg-type]
    for detail in status.details if status is not None else ():
        info = error_details_pb2.ErrorInfo()
        if detail.Unpack(info):
            return info.reason
    return ""

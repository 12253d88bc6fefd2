"""Asserting that a service refuses, with the code and the field a client would see: a use case
called directly, or a gRPC call read as a client reads it (the status, ErrorInfo's reason, the
BadRequest's field)."""

from __future__ import annotations

from collections.abc import Awaitable
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import grpc
import pytest
from google.rpc import error_details_pb2
from grpc_status import rpc_status

from kinlink_kit.errors import ClientError


@contextmanager
def refused(kind: type[ClientError], code: str, field: str | None = None) -> Iterator[None]:
    """The block raises `kind` with this code. Use cases name no request field (their
    entrypoints do), so `field` is for the refusals that carry one."""
    with pytest.raises(kind) as caught:
        yield
    assert (caught.value.code, caught.value.field) == (code, field)


@dataclass(frozen=True)
class Refusal:
    status: grpc.StatusCode
    reason: str  # ErrorInfo.reason: the stable code
    field: str | None  # the BadRequest's field, if there is one
    message: str


def refusal_of(error: grpc.aio.AioRpcError) -> Refusal:
    """A refusal as a client reads it; fails unless it carries the rich status every Kinlink
    service gives: one ErrorInfo, at most one field, the same in ErrorInfo and BadRequest."""
    status = rpc_status.from_call(error)  # type: ignore[arg-type]
    assert status is not None, f"no rich status in {error!r}"
    info, bad_request = error_details_pb2.ErrorInfo(), error_details_pb2.BadRequest()
    infos = [detail for detail in status.details if detail.Unpack(info)]
    assert len(infos) == 1, f"one ErrorInfo expected in {status}"
    assert info.domain == "kinlink"
    fields = [
        violation.field
        for detail in status.details
        if detail.Unpack(bad_request)
        for violation in bad_request.field_violations
    ]
    assert len(fields) <= 1, f"one field at fault at most: {fields}"
    field = fields[0] if fields else None
    assert info.metadata.get("field") == field, "ErrorInfo and BadRequest name the same field"
    return Refusal(error.code(), info.reason, field, error.details() or "")


async def refused_over_grpc(
    call: Awaitable[object],
    status: grpc.StatusCode,
    reason: str,
    field: str | None = None,
) -> Refusal:
    """Await `call`, expecting a refusal with this status, reason and field."""
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await call
    refusal = refusal_of(caught.value)
    assert (refusal.status, refusal.reason, refusal.field) == (status, reason, field), refusal
    return refusal

"""The gateway as a service: opened on each store, served over gRPC."""

from __future__ import annotations

import grpc
import pytest
from kinlink.sms.v1 import sms_pb2 as pb
from kinlink.sms.v1 import sms_pb2_grpc


async def test_a_call_without_a_token_is_refused(
    sms_stub: sms_pb2_grpc.SmsGatewayServiceStub,
) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await sms_stub.ListSmsSubscriptions(pb.ListSmsSubscriptionsRequest())

    assert refused.value.code() is grpc.StatusCode.UNAUTHENTICATED

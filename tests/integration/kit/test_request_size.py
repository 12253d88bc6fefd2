"""A service whose requests carry files (messages with images) raises gRPC's 4 MB limit on what
a call may send; every other server keeps it."""

from __future__ import annotations

import grpc
import pytest
from kinlink.messaging.v1 import messaging_pb2 as pb
from kinlink.messaging.v1 import messaging_pb2_grpc
from kinlink_kit.auth import Role
from kinlink_kit.bus import InMemoryBus
from kinlink_kit.grpc_helpers import method
from kinlink_kit.runtime import GrpcService
from kinlink_kit.runtime import ServiceParts
from kinlink_kit.testing import serving

from tests.conftest import TokenKeys

SERVICE = pb.DESCRIPTOR.services_by_name["MessagingService"].full_name
FIVE_MEGABYTES = 5 * 1024 * 1024


class EchoSizes(messaging_pb2_grpc.MessagingServiceServicer):
    """Answers a send with how many image bytes it received."""

    async def SendMessage(
        self, request: pb.SendMessageRequest, context: grpc.aio.ServicerContext
    ) -> pb.Message:
        return pb.Message(body=str(sum(len(image.content) for image in request.images)))


def parts(max_request_bytes: int | None) -> ServiceParts:
    return ServiceParts(
        name="messaging",
        grpc=[
            GrpcService(
                SERVICE, EchoSizes(), messaging_pb2_grpc.add_MessagingServiceServicer_to_server
            )
        ],
        access_policy={method(SERVICE, "SendMessage"): frozenset({Role.FAMILY_MEMBER})},
        max_request_bytes=max_request_bytes,
    )


def five_megabyte_send() -> pb.SendMessageRequest:
    image = pb.ImageUpload(
        file_name="a.jpg", content_type="image/jpeg", content=b"x" * FIVE_MEGABYTES
    )
    return pb.SendMessageRequest(client_key="k", images=[image])


@pytest.mark.parametrize(
    ("max_request_bytes", "accepted"), [(None, False), (8 * 1024 * 1024, True)]
)
async def test_a_request_is_received_up_to_the_size_the_service_accepts(
    token_keys: TokenKeys, max_request_bytes: int | None, accepted: bool
) -> None:
    bus = InMemoryBus()
    # The client's own limit on what it sends is unlimited by default: only the server's counts.
    async with (
        serving([parts(max_request_bytes)], bus, token_keys.verifier()) as address,
        grpc.aio.insecure_channel(address) as channel,
    ):
        send = messaging_pb2_grpc.MessagingServiceStub(channel).SendMessage(
            five_megabyte_send(), metadata=token_keys.family("F")
        )
        if accepted:
            assert (await send).body == str(FIVE_MEGABYTES)
        else:
            with pytest.raises(grpc.aio.AioRpcError) as caught:
                await send
            assert caught.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED

"""GetDeliveredMessage over gRPC, for the SMS gateway: a resident's message delivered to a family
member, with the resident's name and its images as URLs the carrier fetches where the store
signs them; nothing else, and to platform services only."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from uuid import UUID
from uuid import uuid4

import grpc
import pytest
from kinlink.messaging.v1 import messaging_pb2 as pb
from kinlink.messaging.v1 import messaging_pb2_grpc
from kinlink_kit.auth import Role
from kinlink_kit.testing import Clock
from kinlink_kit.testing import refused_over_grpc
from kinlink_messaging.service_layer.messaging import Messaging
from kinlink_messaging.service_layer.read_message import read_message

from tests.conftest import Metadata
from tests.conftest import TokenKeys
from tests.conftest import bearer
from tests.integration.messaging.conftest import Outside
from tests.integration.messaging.conftest import reply
from tests.integration.messaging.sent import sent_message
from tests.messaging_doubles import FACILITY
from tests.messaging_doubles import RESIDENT
from tests.messaging_doubles import MemoryImageStore

Stub = messaging_pb2_grpc.MessagingServiceStub


@dataclass
class SigningImageStore(MemoryImageStore):
    """An object store that signs URLs (S3's kind), when `signs`."""

    signs: bool = True

    def signed_url(self, key: str, lifetime: timedelta) -> str | None:
        if not self.signs:
            return None
        return f"https://images.example/{key}?lifetime={int(lifetime.total_seconds())}"


@pytest.fixture
def outside() -> Outside:
    return Outside(images=SigningImageStore())


def gateway(token_keys: TokenKeys) -> Metadata:
    return bearer(token_keys.token("sms-gateway", Role.PLATFORM_SERVICE))


def asking(message_id: UUID | str) -> pb.GetDeliveredMessageRequest:
    return pb.GetDeliveredMessageRequest(message_id=str(message_id))


async def test_a_delivered_reply_comes_with_its_residents_name_and_signed_image_urls(
    messaging_stub: Stub,
    messaging: Messaging,
    outside: Outside,
    token_keys: TokenKeys,
    clock: Clock,
    family: UUID,
) -> None:
    message = reply(messaging, outside, family)
    found = await messaging_stub.GetDeliveredMessage(
        asking(message.id), metadata=gateway(token_keys)
    )
    assert (found.message_id, found.account_id) == (str(message.id), str(family))
    assert (found.facility_id, found.resident_id) == (FACILITY, RESIDENT)
    assert (found.resident_name, found.body) == (f"Resident {RESIDENT}", "Thank you for writing")
    assert found.image_count == 1
    assert list(found.image_urls) == [
        f"https://images.example/messages/{message.id}/0.jpg?lifetime=900"
    ]
    assert found.image_urls_expire_at.ToDatetime().replace(tzinfo=clock.now.tzinfo) == (
        clock.now + timedelta(minutes=15)
    )
    assert isinstance(outside.images, SigningImageStore)
    outside.images.signs = False  # the embedded mode's folder: the pictures are not passed on
    found = await messaging_stub.GetDeliveredMessage(
        asking(message.id), metadata=gateway(token_keys)
    )
    assert (found.image_count, list(found.image_urls)) == (1, [])


async def test_only_a_residents_delivered_unexpired_paid_message_is_given(
    messaging_stub: Stub,
    messaging: Messaging,
    outside: Outside,
    token_keys: TokenKeys,
    clock: Clock,
    family: UUID,
) -> None:
    metadata = gateway(token_keys)
    waiting = reply(messaging, outside, family, reviewed=True)  # an officer has not decided
    sent = sent_message(messaging, family, FACILITY, RESIDENT)  # the family member's own
    for message_id in (waiting.id, sent.id, uuid4()):
        await refused_over_grpc(
            messaging_stub.GetDeliveredMessage(asking(message_id), metadata=metadata),
            grpc.StatusCode.NOT_FOUND,
            "message_not_found",
            "message_id",
        )
    collect = reply(messaging, outside, family, collect=True)
    await refused_over_grpc(
        messaging_stub.GetDeliveredMessage(asking(collect.id), metadata=metadata),
        grpc.StatusCode.FAILED_PRECONDITION,
        "collect_message_unpaid",
    )
    read = reply(messaging, outside, family)
    read_message(messaging, family, read.id)
    clock.now += timedelta(days=14)
    await refused_over_grpc(
        messaging_stub.GetDeliveredMessage(asking(read.id), metadata=metadata),
        grpc.StatusCode.FAILED_PRECONDITION,
        "message_expired",
    )
    await refused_over_grpc(
        messaging_stub.GetDeliveredMessage(asking("not-an-id"), metadata=metadata),
        grpc.StatusCode.INVALID_ARGUMENT,
        "message_id_invalid",
        "message_id",
    )


async def test_family_members_and_facilities_cannot_ask(
    messaging_stub: Stub,
    messaging: Messaging,
    outside: Outside,
    token_keys: TokenKeys,
    family: UUID,
) -> None:
    message = reply(messaging, outside, family)
    kiosk = bearer(token_keys.token("kiosk", Role.FACILITY_INTEGRATION, facilities=[FACILITY]))
    for metadata in (token_keys.family(str(family)), kiosk):
        with pytest.raises(grpc.aio.AioRpcError) as refused:
            await messaging_stub.GetDeliveredMessage(asking(message.id), metadata=metadata)
        assert refused.value.code() == grpc.StatusCode.PERMISSION_DENIED

"""Reading over gRPC: the inbox and sent folder with their statuses, opening a message (read
once, expired 336 hours later), collect messages paid before anything is shown, and images for
whoever may see the message."""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID
from uuid import uuid4

import grpc
from kinlink.messaging.v1 import messaging_pb2 as pb
from kinlink.messaging.v1 import messaging_pb2_grpc
from kinlink_kit.auth import Role
from kinlink_kit.testing import Clock
from kinlink_kit.testing import refused_over_grpc
from kinlink_messaging.service_layer.messaging import Messaging

from tests.conftest import Metadata
from tests.conftest import TokenKeys
from tests.conftest import bearer
from tests.integration.messaging.conftest import Outside
from tests.integration.messaging.conftest import reply
from tests.integration.messaging.sent import sent_message
from tests.messaging_doubles import FACILITY
from tests.messaging_doubles import RESIDENT
from tests.messaging_doubles import REVIEWING_FACILITY

Stub = messaging_pb2_grpc.MessagingServiceStub


def staff(token_keys: TokenKeys, role: Role, facility_id: str) -> Metadata:
    return bearer(token_keys.token("staff", role, facilities=[facility_id]))


async def test_the_inbox_lists_replies_newest_first_without_bodies_a_collect_one_unpaid(
    messaging_stub: Stub,
    messaging: Messaging,
    outside: Outside,
    token_keys: TokenKeys,
    clock: Clock,
    family: UUID,
) -> None:
    plain = reply(messaging, outside, family)
    clock.now += timedelta(minutes=1)
    collect = reply(messaging, outside, family, collect=True)
    me = token_keys.family(str(family))
    inbox = await messaging_stub.ListInbox(pb.ListInboxRequest(page_size=10), metadata=me)
    assert [m.message_id for m in inbox.messages] == [str(collect.id), str(plain.id)]
    unpaid, shown = inbox.messages
    assert (unpaid.collect, unpaid.collect_unpaid, len(unpaid.images)) == (True, True, 0)
    assert (shown.collect_unpaid, len(shown.images), shown.body) == (False, 1, "")
    assert shown.status == pb.MESSAGE_STATUS_DELIVERED
    sent = await messaging_stub.ListSent(pb.ListSentRequest(page_size=10), metadata=me)
    assert list(sent.messages) == []


async def test_opening_a_reply_reads_it_once_and_it_expires_336_hours_later(
    messaging_stub: Stub,
    messaging: Messaging,
    outside: Outside,
    token_keys: TokenKeys,
    clock: Clock,
    family: UUID,
) -> None:
    message = reply(messaging, outside, family)
    me = token_keys.family(str(family))
    request = pb.GetMessageRequest(message_id=str(message.id))
    opened = await messaging_stub.GetMessage(request, metadata=me)
    assert (opened.status, opened.body) == (pb.MESSAGE_STATUS_READ, "Thank you for writing")
    assert opened.expires_at.ToDatetime() - opened.read_at.ToDatetime() == timedelta(hours=336)
    clock.now += timedelta(hours=336) - timedelta(microseconds=1)
    assert (await messaging_stub.GetMessage(request, metadata=me)).read_at == opened.read_at
    clock.now += timedelta(microseconds=1)
    await refused_over_grpc(
        messaging_stub.GetMessage(request, metadata=me),
        grpc.StatusCode.FAILED_PRECONDITION,
        "message_expired",
    )
    inbox = await messaging_stub.ListInbox(pb.ListInboxRequest(page_size=10), metadata=me)
    assert [(m.status, len(m.images)) for m in inbox.messages] == [(pb.MESSAGE_STATUS_EXPIRED, 0)]


async def test_a_collect_message_is_paid_once_before_anything_of_it_is_shown(
    messaging_stub: Stub, messaging: Messaging, outside: Outside, token_keys: TokenKeys
) -> None:
    broke = uuid4()
    message = reply(messaging, outside, broke, collect=True)
    me = token_keys.family(str(broke))
    await refused_over_grpc(
        messaging_stub.GetMessage(pb.GetMessageRequest(message_id=str(message.id)), metadata=me),
        grpc.StatusCode.FAILED_PRECONDITION,
        "collect_message_unpaid",
    )
    request = pb.OpenCollectMessageRequest(message_id=str(message.id))
    await refused_over_grpc(
        messaging_stub.OpenCollectMessage(request, metadata=me),
        grpc.StatusCode.FAILED_PRECONDITION,
        "insufficient_credit",
    )
    await refused_over_grpc(
        messaging_stub.GetImage(
            pb.GetImageRequest(message_id=str(message.id), image_index=0), metadata=me
        ),
        grpc.StatusCode.FAILED_PRECONDITION,
        "collect_message_unpaid",
    )
    outside.wallet.fund(broke, 100)
    opened = await messaging_stub.OpenCollectMessage(request, metadata=me)
    assert (opened.status, opened.body, opened.collect_unpaid) == (
        pb.MESSAGE_STATUS_READ,
        "Thank you for writing",
        False,
    )
    assert opened.charged_cents == 50
    again = await messaging_stub.OpenCollectMessage(request, metadata=me)
    assert again.read_at == opened.read_at
    assert outside.wallet.balances[broke] == 50


async def test_someone_elses_or_an_unknown_message_is_not_found(
    messaging_stub: Stub,
    messaging: Messaging,
    outside: Outside,
    token_keys: TokenKeys,
    family: UUID,
) -> None:
    message = reply(messaging, outside, family)
    other = token_keys.family(str(uuid4()))
    for message_id in (str(message.id), str(uuid4())):
        await refused_over_grpc(
            messaging_stub.GetMessage(pb.GetMessageRequest(message_id=message_id), metadata=other),
            grpc.StatusCode.NOT_FOUND,
            "message_not_found",
            "message_id",
        )
    await refused_over_grpc(
        messaging_stub.OpenCollectMessage(
            pb.OpenCollectMessageRequest(message_id="42"), metadata=other
        ),
        grpc.StatusCode.INVALID_ARGUMENT,
        "message_id_invalid",
        "message_id",
    )


async def test_the_sent_folder_shows_a_rejection_with_its_reason(
    messaging_stub: Stub, messaging: Messaging, token_keys: TokenKeys, family: UUID
) -> None:
    message = sent_message(messaging, family, REVIEWING_FACILITY, RESIDENT)
    me = token_keys.family(str(family))
    sent = await messaging_stub.ListSent(pb.ListSentRequest(page_size=10), metadata=me)
    assert [m.status for m in sent.messages] == [pb.MESSAGE_STATUS_PENDING_REVIEW]
    await messaging_stub.RejectMessage(
        pb.RejectMessageRequest(message_id=str(message.id), reason="No photos of documents."),
        metadata=staff(token_keys, Role.FACILITY_OFFICER, REVIEWING_FACILITY),
    )
    sent = await messaging_stub.ListSent(pb.ListSentRequest(page_size=10), metadata=me)
    [rejected] = sent.messages
    assert (rejected.status, rejected.rejection_reason) == (
        pb.MESSAGE_STATUS_REJECTED,
        "No photos of documents.",
    )
    assert rejected.HasField("decided_at") and not rejected.HasField("delivered_at")


async def test_an_image_is_served_to_whoever_may_see_its_message(
    messaging_stub: Stub,
    messaging: Messaging,
    outside: Outside,
    token_keys: TokenKeys,
    family: UUID,
) -> None:
    message = reply(messaging, outside, family)
    image = pb.GetImageRequest(message_id=str(message.id), image_index=0)
    thumbnail = pb.GetImageRequest(message_id=str(message.id), image_index=0, thumbnail=True)
    me = token_keys.family(str(family))
    got = await messaging_stub.GetImage(image, metadata=me)
    assert (got.content_type, got.content, got.url) == ("image/jpeg", b"photo", "")
    assert (await messaging_stub.GetImage(thumbnail, metadata=me)).content == b"ph"
    kiosk = staff(token_keys, Role.FACILITY_INTEGRATION, FACILITY)
    assert (await messaging_stub.GetImage(image, metadata=kiosk)).content == b"photo"

    await refused_over_grpc(
        messaging_stub.GetImage(
            image, metadata=staff(token_keys, Role.FACILITY_OFFICER, REVIEWING_FACILITY)
        ),
        grpc.StatusCode.PERMISSION_DENIED,
        "facility_out_of_scope",
        "message_id",
    )
    await refused_over_grpc(
        messaging_stub.GetImage(
            pb.GetImageRequest(message_id=str(message.id), image_index=1), metadata=me
        ),
        grpc.StatusCode.NOT_FOUND,
        "image_not_found",
        "image_index",
    )
    await refused_over_grpc(
        messaging_stub.GetImage(image, metadata=token_keys.family(str(uuid4()))),
        grpc.StatusCode.NOT_FOUND,
        "message_not_found",
        "message_id",
    )


async def test_where_the_store_signs_an_image_is_a_short_lived_url(
    messaging_stub: Stub,
    messaging: Messaging,
    outside: Outside,
    token_keys: TokenKeys,
    clock: Clock,
    family: UUID,
) -> None:
    message = reply(messaging, outside, family)
    signed: list[tuple[str, timedelta]] = []

    def signed_url(key: str, lifetime: timedelta) -> str:
        signed.append((key, lifetime))
        return f"https://objects.example/{key}?signature=s"

    outside.images.signed_url = signed_url  # type: ignore[method-assign]
    got = await messaging_stub.GetImage(
        pb.GetImageRequest(message_id=str(message.id), image_index=0),
        metadata=token_keys.family(str(family)),
    )
    assert signed == [(message.images[0].key, timedelta(seconds=300))]
    assert (got.url, got.content) == (
        f"https://objects.example/{message.images[0].key}?signature=s",
        b"",
    )
    assert got.url_expires_at.ToDatetime() == (clock.now + timedelta(seconds=300)).replace(
        tzinfo=None
    )

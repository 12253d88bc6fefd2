"""The facility integrations' calls over gRPC: a resident's messages on the kiosk, their replies
(to whom, collect, blocked), and marking what they read."""

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
from tests.integration.messaging.sent import sent_message
from tests.messaging_doubles import FACILITY
from tests.messaging_doubles import RESIDENT
from tests.messaging_doubles import REVIEWING_FACILITY

Stub = messaging_pb2_grpc.MessagingServiceStub
STRANGER = UUID("22222222-2222-4222-8222-222222222222")


def kiosk(token_keys: TokenKeys, facility_id: str = FACILITY) -> Metadata:
    return bearer(token_keys.token("kiosk", Role.FACILITY_INTEGRATION, facilities=[facility_id]))


def reply(
    account_id: UUID, key: str = "reply-1", body: str = "Thank you!", collect: bool = False
) -> pb.PostReplyRequest:
    return pb.PostReplyRequest(
        client_key=key,
        facility_id=FACILITY,
        resident_id=RESIDENT,
        account_id=str(account_id),
        body=body,
        collect=collect,
    )


async def test_a_reply_reaches_a_family_member_the_resident_corresponded_with_once_per_key(
    messaging_stub: Stub, messaging: Messaging, token_keys: TokenKeys, family: UUID
) -> None:
    sent_message(messaging, family, FACILITY, RESIDENT)
    posted = await messaging_stub.PostReply(reply(family, collect=True), metadata=kiosk(token_keys))
    assert posted.direction == pb.MESSAGE_DIRECTION_FROM_RESIDENT
    assert (posted.account_id, posted.facility_id, posted.resident_id) == (
        str(family),
        FACILITY,
        RESIDENT,
    )
    # FAC-B does not review: delivered to the inbox at once.
    assert posted.status == pb.MESSAGE_STATUS_DELIVERED
    assert posted.collect and posted.collect_unpaid
    assert posted.body == "Thank you!", "the kiosk sees what its resident wrote"

    again = await messaging_stub.PostReply(reply(family, collect=True), metadata=kiosk(token_keys))
    assert again.message_id == posted.message_id
    other = await messaging_stub.PostReply(reply(family, "reply-2"), metadata=kiosk(token_keys))
    assert other.message_id != posted.message_id
    assert (other.body, other.collect, other.collect_unpaid) == ("Thank you!", False, False)


async def test_a_reply_at_a_reviewing_facility_waits_for_an_officer_who_reads_it_collect_or_not(
    messaging_stub: Stub, messaging: Messaging, token_keys: TokenKeys, family: UUID
) -> None:
    sent_message(messaging, family, REVIEWING_FACILITY, RESIDENT)
    request = pb.PostReplyRequest(
        client_key="k",
        facility_id=REVIEWING_FACILITY,
        resident_id=RESIDENT,
        account_id=str(family),
        body="Hi",
        collect=True,
    )
    posted = await messaging_stub.PostReply(request, metadata=kiosk(token_keys, REVIEWING_FACILITY))
    assert posted.status == pb.MESSAGE_STATUS_PENDING_REVIEW
    officer = bearer(
        token_keys.token("officer", Role.FACILITY_OFFICER, facilities=[REVIEWING_FACILITY])
    )
    queue = await messaging_stub.ListReviewQueue(
        pb.ListReviewQueueRequest(facility_id=REVIEWING_FACILITY, page_size=10), metadata=officer
    )
    bodies = {item.message.message_id: item.message.body for item in queue.items}
    assert bodies[posted.message_id] == "Hi", "an officer reads a collect reply to review it"
    inbox = await messaging_stub.ListInbox(
        pb.ListInboxRequest(page_size=10), metadata=token_keys.family(str(family))
    )
    assert list(inbox.messages) == [], "not the family member's before it is approved"


async def test_a_reply_needs_correspondence_and_is_refused_where_the_family_blocked_the_resident(
    messaging_stub: Stub, messaging: Messaging, token_keys: TokenKeys, clock: Clock, family: UUID
) -> None:
    await refused_over_grpc(
        messaging_stub.PostReply(reply(STRANGER), metadata=kiosk(token_keys)),
        grpc.StatusCode.FAILED_PRECONDITION,
        "no_prior_correspondence",
        "account_id",
    )
    sent_message(messaging, family, FACILITY, RESIDENT)
    blocks = messaging.blocks(family)
    blocks.block(FACILITY, RESIDENT, clock.now)
    messaging.store.save(blocks)
    await refused_over_grpc(
        messaging_stub.PostReply(reply(family), metadata=kiosk(token_keys)),
        grpc.StatusCode.FAILED_PRECONDITION,
        "resident_blocked",
        "resident_id",
    )


async def test_a_bad_reply_is_refused_naming_the_field(
    messaging_stub: Stub, token_keys: TokenKeys
) -> None:
    cases = [
        (reply(STRANGER, body="   "), grpc.StatusCode.INVALID_ARGUMENT, "body_missing", "body"),
        (
            reply(STRANGER, body="x" * 6001),
            grpc.StatusCode.INVALID_ARGUMENT,
            "body_too_long",
            "body",
        ),
        (
            reply(STRANGER, key=""),
            grpc.StatusCode.INVALID_ARGUMENT,
            "client_key_missing",
            "client_key",
        ),
    ]
    for request, status, reason, field in cases:
        await refused_over_grpc(
            messaging_stub.PostReply(request, metadata=kiosk(token_keys)), status, reason, field
        )
    bad_account = reply(STRANGER)
    bad_account.account_id = "someone"
    await refused_over_grpc(
        messaging_stub.PostReply(bad_account, metadata=kiosk(token_keys)),
        grpc.StatusCode.INVALID_ARGUMENT,
        "account_id_invalid",
        "account_id",
    )
    unknown = reply(STRANGER)
    unknown.resident_id = "R-404"
    await refused_over_grpc(
        messaging_stub.PostReply(unknown, metadata=kiosk(token_keys)),
        grpc.StatusCode.NOT_FOUND,
        "resident_not_found",
        "resident_id",
    )


async def test_only_the_facilitys_own_integration_posts_its_residents_replies(
    messaging_stub: Stub, messaging: Messaging, token_keys: TokenKeys, family: UUID
) -> None:
    sent_message(messaging, family, FACILITY, RESIDENT)
    await refused_over_grpc(
        messaging_stub.PostReply(reply(family), metadata=kiosk(token_keys, REVIEWING_FACILITY)),
        grpc.StatusCode.PERMISSION_DENIED,
        "facility_out_of_scope",
        "facility_id",
    )
    await refused_over_grpc(
        messaging_stub.PostReply(reply(family), metadata=token_keys.family(str(family))),
        grpc.StatusCode.PERMISSION_DENIED,
        "role_not_allowed",
    )


async def test_the_kiosk_lists_a_residents_delivered_messages_and_replies_newest_first(
    messaging_stub: Stub, messaging: Messaging, token_keys: TokenKeys, clock: Clock, family: UUID
) -> None:
    delivered = sent_message(messaging, family, FACILITY, RESIDENT, client_key="a")
    clock.now += timedelta(minutes=1)
    posted = await messaging_stub.PostReply(reply(family), metadata=kiosk(token_keys))
    # Waiting for review elsewhere: not the resident's to see.
    sent_message(messaging, family, REVIEWING_FACILITY, RESIDENT, client_key="b")

    first = await messaging_stub.ListResidentMessages(
        pb.ListResidentMessagesRequest(facility_id=FACILITY, resident_id=RESIDENT, page_size=1),
        metadata=kiosk(token_keys),
    )
    assert [m.message_id for m in first.messages] == [posted.message_id]
    rest = await messaging_stub.ListResidentMessages(
        pb.ListResidentMessagesRequest(
            facility_id=FACILITY,
            resident_id=RESIDENT,
            page_size=1,
            page_token=first.next_page_token,
        ),
        metadata=kiosk(token_keys),
    )
    assert [m.message_id for m in rest.messages] == [str(delivered.id)]
    assert rest.messages[0].body == "Hello from home."
    assert rest.next_page_token == ""
    await refused_over_grpc(
        messaging_stub.ListResidentMessages(
            pb.ListResidentMessagesRequest(
                facility_id=REVIEWING_FACILITY, resident_id=RESIDENT, page_size=1
            ),
            metadata=kiosk(token_keys),
        ),
        grpc.StatusCode.PERMISSION_DENIED,
        "facility_out_of_scope",
        "facility_id",
    )


async def test_a_message_the_resident_read_expires_exactly_14_days_later(
    messaging_stub: Stub, messaging: Messaging, token_keys: TokenKeys, clock: Clock, family: UUID
) -> None:
    message = sent_message(messaging, family, FACILITY, RESIDENT)
    request = pb.MarkReadByResidentRequest(message_id=str(message.id))
    read = await messaging_stub.MarkReadByResident(request, metadata=kiosk(token_keys))
    assert read.status == pb.MESSAGE_STATUS_READ
    assert read.expires_at.ToDatetime() - read.read_at.ToDatetime() == timedelta(hours=336)

    clock.now += timedelta(hours=336) - timedelta(microseconds=1)
    again = await messaging_stub.MarkReadByResident(request, metadata=kiosk(token_keys))
    assert (again.status, again.read_at) == (pb.MESSAGE_STATUS_READ, read.read_at)
    clock.now += timedelta(microseconds=1)
    await refused_over_grpc(
        messaging_stub.MarkReadByResident(request, metadata=kiosk(token_keys)),
        grpc.StatusCode.FAILED_PRECONDITION,
        "message_expired",
    )


async def test_marking_read_is_refused_for_what_the_resident_never_received(
    messaging_stub: Stub, messaging: Messaging, token_keys: TokenKeys, family: UUID
) -> None:
    pending = sent_message(messaging, family, REVIEWING_FACILITY, RESIDENT)
    for message_id, reason, metadata in (
        (str(uuid4()), "message_not_found", kiosk(token_keys)),
        (str(pending.id), "message_not_found", kiosk(token_keys, REVIEWING_FACILITY)),
    ):
        await refused_over_grpc(
            messaging_stub.MarkReadByResident(
                pb.MarkReadByResidentRequest(message_id=message_id), metadata=metadata
            ),
            grpc.StatusCode.NOT_FOUND,
            reason,
            "message_id",
        )
    await refused_over_grpc(
        messaging_stub.MarkReadByResident(
            pb.MarkReadByResidentRequest(message_id=str(pending.id)), metadata=kiosk(token_keys)
        ),
        grpc.StatusCode.PERMISSION_DENIED,
        "facility_out_of_scope",
        "message_id",
    )

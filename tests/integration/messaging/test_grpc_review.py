"""The officers' calls over gRPC: the review queue, approving and rejecting, who may, and two
officers deciding one message at once."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from uuid import UUID
from uuid import uuid4

import grpc
import pytest
from kinlink.messaging.v1 import messaging_pb2 as pb
from kinlink.messaging.v1 import messaging_pb2_grpc
from kinlink_contracts.facility_settings import ReviewPolicy
from kinlink_kit.auth import Role
from kinlink_kit.testing import Clock
from kinlink_kit.testing import eventually
from kinlink_kit.testing import refusal_of
from kinlink_kit.testing import refused_over_grpc
from kinlink_messaging.domain.message import Message
from kinlink_messaging.entrypoints.rejection_refunds import RejectionRefunds
from kinlink_messaging.service_layer.messaging import Messaging

from tests.conftest import Metadata
from tests.conftest import TokenKeys
from tests.conftest import bearer
from tests.integration.messaging.conftest import Outside
from tests.integration.messaging.sent import sent_message
from tests.messaging_doubles import FACILITY
from tests.messaging_doubles import RESIDENT
from tests.messaging_doubles import REVIEWING_FACILITY
from tests.messaging_doubles import facility_settings

Stub = messaging_pb2_grpc.MessagingServiceStub


def officer(
    token_keys: TokenKeys, facility_id: str = REVIEWING_FACILITY, name: str = "officer-1"
) -> Metadata:
    return bearer(token_keys.token(name, Role.FACILITY_OFFICER, facilities=[facility_id]))


async def test_the_queue_lists_the_facilitys_messages_awaiting_review_oldest_first_with_thumbnails(
    messaging_stub: Stub,
    messaging: Messaging,
    token_keys: TokenKeys,
    clock: Clock,
    family: UUID,
    outside: Outside,
) -> None:
    outside.directory.book(REVIEWING_FACILITY, "R-2")
    first = sent_message(
        messaging, family, REVIEWING_FACILITY, RESIDENT, client_key="a", thumbnails=(b"t0", b"t1")
    )
    clock.now += timedelta(minutes=1)
    second = sent_message(messaging, family, REVIEWING_FACILITY, "R-2", client_key="b")
    sent_message(messaging, family, FACILITY, RESIDENT, client_key="c")  # not reviewed there
    clock.now += timedelta(minutes=1)
    decided = sent_message(messaging, family, REVIEWING_FACILITY, RESIDENT, client_key="d")
    await messaging_stub.ApproveMessage(
        pb.ApproveMessageRequest(message_id=str(decided.id)), metadata=officer(token_keys)
    )

    page = await messaging_stub.ListReviewQueue(
        pb.ListReviewQueueRequest(facility_id=REVIEWING_FACILITY, page_size=1),
        metadata=officer(token_keys),
    )
    assert [item.message.message_id for item in page.items] == [str(first.id)]
    assert list(page.items[0].thumbnails) == [b"t0", b"t1"]
    assert [image.index for image in page.items[0].message.images] == [0, 1]
    assert page.items[0].message.body == "Hello from home."
    assert page.items[0].message.status == pb.MESSAGE_STATUS_PENDING_REVIEW
    rest = await messaging_stub.ListReviewQueue(
        pb.ListReviewQueueRequest(
            facility_id=REVIEWING_FACILITY, page_size=5, page_token=page.next_page_token
        ),
        metadata=officer(token_keys),
    )
    assert [item.message.message_id for item in rest.items] == [str(second.id)]
    assert rest.next_page_token == ""


async def test_the_queue_is_refused_outside_the_officers_facilities_and_for_bad_pages(
    messaging_stub: Stub, token_keys: TokenKeys
) -> None:
    await refused_over_grpc(
        messaging_stub.ListReviewQueue(
            pb.ListReviewQueueRequest(facility_id=FACILITY, page_size=10),
            metadata=officer(token_keys),
        ),
        grpc.StatusCode.PERMISSION_DENIED,
        "facility_out_of_scope",
        "facility_id",
    )
    await refused_over_grpc(
        messaging_stub.ListReviewQueue(
            pb.ListReviewQueueRequest(facility_id=REVIEWING_FACILITY, page_size=0),
            metadata=officer(token_keys),
        ),
        grpc.StatusCode.INVALID_ARGUMENT,
        "page_size_invalid",
        "page_size",
    )
    await refused_over_grpc(
        messaging_stub.ListReviewQueue(
            pb.ListReviewQueueRequest(
                facility_id=REVIEWING_FACILITY, page_size=10, page_token="nope"
            ),
            metadata=officer(token_keys),
        ),
        grpc.StatusCode.INVALID_ARGUMENT,
        "page_token_invalid",
        "page_token",
    )


async def test_an_approved_message_is_delivered_at_once_and_cannot_be_decided_again(
    messaging_stub: Stub, messaging: Messaging, token_keys: TokenKeys, clock: Clock, family: UUID
) -> None:
    message = sent_message(messaging, family, REVIEWING_FACILITY, RESIDENT)
    approved = await messaging_stub.ApproveMessage(
        pb.ApproveMessageRequest(message_id=str(message.id)), metadata=officer(token_keys)
    )
    assert approved.status == pb.MESSAGE_STATUS_DELIVERED
    assert approved.decided_at.ToDatetime().replace(tzinfo=clock.now.tzinfo) == clock.now
    assert approved.delivered_at == approved.decided_at

    for decide in (
        messaging_stub.ApproveMessage(
            pb.ApproveMessageRequest(message_id=str(message.id)), metadata=officer(token_keys)
        ),
        messaging_stub.RejectMessage(
            pb.RejectMessageRequest(message_id=str(message.id), reason="late"),
            metadata=officer(token_keys),
        ),
    ):
        await refused_over_grpc(
            decide, grpc.StatusCode.FAILED_PRECONDITION, "message_already_decided"
        )


async def test_a_message_the_facility_does_not_review_is_not_pending_review(
    messaging_stub: Stub, messaging: Messaging, token_keys: TokenKeys, family: UUID
) -> None:
    message = sent_message(messaging, family, FACILITY, RESIDENT)
    await refused_over_grpc(
        messaging_stub.ApproveMessage(
            pb.ApproveMessageRequest(message_id=str(message.id)),
            metadata=officer(token_keys, FACILITY),
        ),
        grpc.StatusCode.FAILED_PRECONDITION,
        "message_already_decided",
    )


@pytest.mark.parametrize("refunds", [True, False])
async def test_a_rejection_carries_its_reason_and_is_refunded_once_where_the_facility_refunds(
    messaging_stub: Stub,
    messaging: Messaging,
    token_keys: TokenKeys,
    outside: Outside,
    family: UUID,
    refunds: bool,
) -> None:
    outside.directory.facilities[REVIEWING_FACILITY] = facility_settings(
        review_policy=ReviewPolicy.REVIEW_ALL, refund_rejected_messages=refunds
    )
    message = sent_message(messaging, family, REVIEWING_FACILITY, RESIDENT)
    balance_after_sending = outside.wallet.balances[family]

    rejected = await messaging_stub.RejectMessage(
        pb.RejectMessageRequest(message_id=str(message.id), reason="Photos of weapons."),
        metadata=officer(token_keys),
    )
    assert rejected.status == pb.MESSAGE_STATUS_REJECTED
    assert rejected.rejection_reason == "Photos of weapons."
    await refused_over_grpc(
        messaging_stub.RejectMessage(
            pb.RejectMessageRequest(message_id=str(message.id), reason="again"),
            metadata=officer(token_keys, name="officer-2"),
        ),
        grpc.StatusCode.FAILED_PRECONDITION,
        "message_already_decided",
    )
    rejected_at = messaging.store.tracking.max_notification_id() or 0

    async def refunds_followed_the_rejection() -> bool:
        return messaging.views.store.position(RejectionRefunds.name) >= rejected_at

    await eventually(refunds_followed_the_rejection)
    assert outside.wallet.refunded == ([message.reference] if refunds else [])
    assert outside.wallet.balances[family] == balance_after_sending + (50 if refunds else 0)


async def test_a_rejection_needs_a_reason(
    messaging_stub: Stub, messaging: Messaging, token_keys: TokenKeys, family: UUID
) -> None:
    message = sent_message(messaging, family, REVIEWING_FACILITY, RESIDENT)
    await refused_over_grpc(
        messaging_stub.RejectMessage(
            pb.RejectMessageRequest(message_id=str(message.id), reason="  "),
            metadata=officer(token_keys),
        ),
        grpc.StatusCode.INVALID_ARGUMENT,
        "rejection_reason_missing",
        "reason",
    )


async def test_bad_and_unknown_message_ids_are_refused_naming_the_field(
    messaging_stub: Stub, token_keys: TokenKeys
) -> None:
    await refused_over_grpc(
        messaging_stub.ApproveMessage(
            pb.ApproveMessageRequest(message_id="not-an-id"), metadata=officer(token_keys)
        ),
        grpc.StatusCode.INVALID_ARGUMENT,
        "message_id_invalid",
        "message_id",
    )
    await refused_over_grpc(
        messaging_stub.RejectMessage(
            pb.RejectMessageRequest(message_id=str(uuid4()), reason="no"),
            metadata=officer(token_keys),
        ),
        grpc.StatusCode.NOT_FOUND,
        "message_not_found",
        "message_id",
    )


async def test_only_officers_of_the_messages_facility_decide_it(
    messaging_stub: Stub, messaging: Messaging, token_keys: TokenKeys, family: UUID
) -> None:
    message = sent_message(messaging, family, REVIEWING_FACILITY, RESIDENT)
    request = pb.ApproveMessageRequest(message_id=str(message.id))
    await refused_over_grpc(
        messaging_stub.ApproveMessage(request, metadata=token_keys.family(str(family))),
        grpc.StatusCode.PERMISSION_DENIED,
        "role_not_allowed",
    )
    await refused_over_grpc(
        messaging_stub.ApproveMessage(request, metadata=officer(token_keys, FACILITY)),
        grpc.StatusCode.PERMISSION_DENIED,
        "facility_out_of_scope",
        "message_id",
    )
    still = messaging.find(message.id, Message)
    assert still is not None and still.decided_at is None


async def test_of_two_officers_deciding_one_message_at_once_exactly_one_decision_is_recorded(
    messaging_stub: Stub, messaging: Messaging, token_keys: TokenKeys, family: UUID
) -> None:
    messages = [
        sent_message(messaging, family, REVIEWING_FACILITY, RESIDENT, client_key=f"race-{n}")
        for n in range(5)
    ]
    for message in messages:
        outcomes = await asyncio.gather(
            messaging_stub.ApproveMessage(
                pb.ApproveMessageRequest(message_id=str(message.id)),
                metadata=officer(token_keys, name="officer-1"),
            ),
            messaging_stub.RejectMessage(
                pb.RejectMessageRequest(message_id=str(message.id), reason="No."),
                metadata=officer(token_keys, name="officer-2"),
            ),
            return_exceptions=True,
        )
        won = [outcome for outcome in outcomes if isinstance(outcome, pb.Message)]
        lost = [outcome for outcome in outcomes if isinstance(outcome, grpc.aio.AioRpcError)]
        assert len(won) == 1 and len(lost) == 1, outcomes
        refusal = refusal_of(lost[0])
        assert (refusal.status, refusal.reason) == (
            grpc.StatusCode.FAILED_PRECONDITION,
            "message_already_decided",
        )
        decisions = [
            event
            for event in messaging.store.events.get(message.id)
            if isinstance(event, Message.Approved | Message.Rejected)
        ]
        assert len(decisions) == 1
        kept = messaging.find(message.id, Message)
        assert kept is not None and kept.decided_by == decisions[0].officer

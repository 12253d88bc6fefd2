"""ListReviewQueue, ApproveMessage and RejectMessage: the officers of a facility that reviews
its messages decide each one."""

from __future__ import annotations

import asyncio

import grpc
from kinlink.messaging.v1 import messaging_pb2 as pb
from kinlink_kit.auth import AccessPolicy
from kinlink_kit.auth import Role
from kinlink_kit.auth import current_principal
from kinlink_kit.grpc_helpers import parse_id
from kinlink_kit.grpc_helpers import request_fields

from kinlink_messaging.entrypoints.messages import MESSAGE_ID_FIELDS
from kinlink_messaging.entrypoints.messages import REQUEST_FIELDS
from kinlink_messaging.entrypoints.messages import message_view
from kinlink_messaging.entrypoints.messages import method
from kinlink_messaging.service_layer.approve_message import approve_message
from kinlink_messaging.service_layer.list_review_queue import ListReviewQueue
from kinlink_messaging.service_layer.list_review_queue import list_review_queue
from kinlink_messaging.service_layer.messaging import Messaging
from kinlink_messaging.service_layer.reject_message import RejectMessage
from kinlink_messaging.service_layer.reject_message import reject_message

# Officers of the facility; operators may decide for any (their scope is every facility).
_REVIEWERS = frozenset({Role.FACILITY_OFFICER, Role.OPERATOR})
REVIEW_POLICY: AccessPolicy = {
    method("ListReviewQueue"): _REVIEWERS,
    method("ApproveMessage"): _REVIEWERS,
    method("RejectMessage"): _REVIEWERS,
}


class ReviewApi:
    messaging: Messaging

    async def ListReviewQueue(
        self, request: pb.ListReviewQueueRequest, context: grpc.aio.ServicerContext
    ) -> pb.ListReviewQueueResponse:
        command = ListReviewQueue(request.facility_id, request.page_size, request.page_token)
        with request_fields(REQUEST_FIELDS):
            page = await asyncio.to_thread(
                list_review_queue, self.messaging, current_principal(), command
            )
        now = self.messaging.clock()
        return pb.ListReviewQueueResponse(
            items=[
                pb.ReviewItem(
                    message=message_view(item.message, now, for_facility=True),
                    thumbnails=item.thumbnails,
                )
                for item in page.rows
            ],
            next_page_token=page.next_page_token,
        )

    async def ApproveMessage(
        self, request: pb.ApproveMessageRequest, context: grpc.aio.ServicerContext
    ) -> pb.Message:
        message_id = parse_id(request.message_id, "message_id")
        with request_fields(MESSAGE_ID_FIELDS):
            message = await asyncio.to_thread(
                approve_message, self.messaging, current_principal(), message_id
            )
        return message_view(message, self.messaging.clock(), for_facility=True)

    async def RejectMessage(
        self, request: pb.RejectMessageRequest, context: grpc.aio.ServicerContext
    ) -> pb.Message:
        command = RejectMessage(parse_id(request.message_id, "message_id"), request.reason)
        with request_fields(MESSAGE_ID_FIELDS, rejection_reason_missing="reason"):
            message = await asyncio.to_thread(
                reject_message, self.messaging, current_principal(), command
            )
        return message_view(message, self.messaging.clock(), for_facility=True)

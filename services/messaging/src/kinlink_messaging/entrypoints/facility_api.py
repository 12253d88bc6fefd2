"""ListResidentMessages, PostReply and MarkReadByResident: a facility's kiosks and tablets show
residents their messages, post their replies and say what they read."""

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
from kinlink_messaging.service_layer.list_resident_messages import ListResidentMessages
from kinlink_messaging.service_layer.list_resident_messages import list_resident_messages
from kinlink_messaging.service_layer.mark_read_by_resident import mark_read_by_resident
from kinlink_messaging.service_layer.messaging import Messaging
from kinlink_messaging.service_layer.post_reply import PostReply
from kinlink_messaging.service_layer.post_reply import post_reply

_INTEGRATIONS = frozenset({Role.FACILITY_INTEGRATION})
FACILITY_POLICY: AccessPolicy = {
    method("ListResidentMessages"): _INTEGRATIONS,
    method("PostReply"): _INTEGRATIONS,
    method("MarkReadByResident"): _INTEGRATIONS,
}


class FacilityApi:
    messaging: Messaging

    async def ListResidentMessages(
        self, request: pb.ListResidentMessagesRequest, context: grpc.aio.ServicerContext
    ) -> pb.ListResidentMessagesResponse:
        command = ListResidentMessages(
            request.facility_id, request.resident_id, request.page_size, request.page_token
        )
        with request_fields(REQUEST_FIELDS):
            page = await asyncio.to_thread(
                list_resident_messages, self.messaging, current_principal(), command
            )
        now = self.messaging.clock()
        return pb.ListResidentMessagesResponse(
            messages=[message_view(message, now, for_facility=True) for message in page.rows],
            next_page_token=page.next_page_token,
        )

    async def PostReply(
        self, request: pb.PostReplyRequest, context: grpc.aio.ServicerContext
    ) -> pb.Message:
        command = PostReply(
            request.client_key,
            request.facility_id,
            request.resident_id,
            parse_id(request.account_id, "account_id"),
            request.body,
            request.collect,
        )
        with request_fields(REQUEST_FIELDS, no_prior_correspondence="account_id"):
            message = await asyncio.to_thread(
                post_reply, self.messaging, current_principal(), command
            )
        return message_view(message, self.messaging.clock(), for_facility=True)

    async def MarkReadByResident(
        self, request: pb.MarkReadByResidentRequest, context: grpc.aio.ServicerContext
    ) -> pb.Message:
        message_id = parse_id(request.message_id, "message_id")
        with request_fields(MESSAGE_ID_FIELDS):
            message = await asyncio.to_thread(
                mark_read_by_resident, self.messaging, current_principal(), message_id
            )
        return message_view(message, self.messaging.clock(), for_facility=True)

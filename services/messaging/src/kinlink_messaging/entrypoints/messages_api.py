"""SendMessage, ListInbox, ListSent, GetMessage, OpenCollectMessage and GetImage: a family
member's messages to and from residents."""

from __future__ import annotations

import asyncio

import grpc
from kinlink.messaging.v1 import messaging_pb2 as pb
from kinlink_kit.auth import AccessPolicy
from kinlink_kit.grpc_helpers import parse_id
from kinlink_kit.grpc_helpers import request_fields

from kinlink_messaging.domain.images import ImageUpload
from kinlink_messaging.entrypoints.messages import FAMILY
from kinlink_messaging.entrypoints.messages import REQUEST_FIELDS
from kinlink_messaging.entrypoints.messages import caller_account
from kinlink_messaging.entrypoints.messages import message_view
from kinlink_messaging.entrypoints.messages import method
from kinlink_messaging.service_layer.messaging import Messaging
from kinlink_messaging.service_layer.send_message import SendMessage
from kinlink_messaging.service_layer.send_message import send_message

MESSAGES_POLICY: AccessPolicy = {
    method("SendMessage"): FAMILY,
}


class MessagesApi:
    messaging: Messaging

    async def SendMessage(
        self, request: pb.SendMessageRequest, context: grpc.aio.ServicerContext
    ) -> pb.Message:
        command = SendMessage(
            caller_account(),
            request.facility_id,
            request.resident_id,
            request.client_key,
            request.body,
            tuple(
                ImageUpload(image.file_name, image.content_type, image.content)
                for image in request.images
            ),
            parse_id(request.draft_id, "draft_id") if request.draft_id else None,
        )
        with request_fields(REQUEST_FIELDS):
            message = await asyncio.to_thread(send_message, self.messaging, command)
        return message_view(message, self.messaging.clock())

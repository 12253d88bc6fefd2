"""SendMessage, ListInbox, ListSent, GetMessage, OpenCollectMessage and GetImage: a family
member's messages to and from residents."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from uuid import UUID

import grpc
from kinlink.messaging.v1 import messaging_pb2 as pb
from kinlink_kit.auth import AccessPolicy
from kinlink_kit.auth import Role
from kinlink_kit.auth import current_principal
from kinlink_kit.grpc_helpers import parse_id
from kinlink_kit.grpc_helpers import request_fields
from kinlink_kit.paging import Page

from kinlink_messaging.domain.images import ImageUpload
from kinlink_messaging.domain.message import Message
from kinlink_messaging.domain.message import MessageStatus
from kinlink_messaging.domain.ports import WalletUnavailable
from kinlink_messaging.entrypoints.messages import FAMILY
from kinlink_messaging.entrypoints.messages import MESSAGE_ID_FIELDS
from kinlink_messaging.entrypoints.messages import REQUEST_FIELDS
from kinlink_messaging.entrypoints.messages import caller_account
from kinlink_messaging.entrypoints.messages import message_view
from kinlink_messaging.entrypoints.messages import method
from kinlink_messaging.entrypoints.messages import timestamp
from kinlink_messaging.service_layer.get_facility_image import get_facility_image
from kinlink_messaging.service_layer.get_image import SIGNED_URL_LIFETIME
from kinlink_messaging.service_layer.get_image import GetImage
from kinlink_messaging.service_layer.get_image import get_image
from kinlink_messaging.service_layer.list_messages import ListMessages
from kinlink_messaging.service_layer.list_messages import list_inbox
from kinlink_messaging.service_layer.list_messages import list_sent
from kinlink_messaging.service_layer.messaging import Messaging
from kinlink_messaging.service_layer.open_collect_message import open_collect_message
from kinlink_messaging.service_layer.read_message import read_message
from kinlink_messaging.service_layer.send_message import SendMessage
from kinlink_messaging.service_layer.send_message import send_message

MESSAGES_POLICY: AccessPolicy = {
    method("SendMessage"): FAMILY,
    method("ListInbox"): FAMILY,
    method("ListSent"): FAMILY,
    method("GetMessage"): FAMILY,
    method("OpenCollectMessage"): FAMILY,
    # Who sees which image is decided per message (get_image, get_facility_image).
    method("GetImage"): frozenset(
        {Role.FAMILY_MEMBER, Role.FACILITY_OFFICER, Role.FACILITY_INTEGRATION, Role.OPERATOR}
    ),
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
        if message.status is MessageStatus.AWAITING_PAYMENT:
            # A repeat of a send whose charge went unanswered: not a message yet, until the
            # payment sweep learns from the wallet whether it was paid.
            raise WalletUnavailable()
        return message_view(message, self.messaging.clock())

    async def ListInbox(
        self, request: pb.ListInboxRequest, context: grpc.aio.ServicerContext
    ) -> pb.ListMessagesResponse:
        return await self._folder(list_inbox, request.page_size, request.page_token)

    async def ListSent(
        self, request: pb.ListSentRequest, context: grpc.aio.ServicerContext
    ) -> pb.ListMessagesResponse:
        return await self._folder(list_sent, request.page_size, request.page_token)

    async def _folder(
        self,
        listing: Callable[[Messaging, ListMessages], Page[Message]],
        page_size: int,
        page_token: str,
    ) -> pb.ListMessagesResponse:
        command = ListMessages(caller_account(), page_size, page_token)
        with request_fields(REQUEST_FIELDS):
            page = await asyncio.to_thread(listing, self.messaging, command)
        now = self.messaging.clock()
        return pb.ListMessagesResponse(
            messages=[message_view(message, now, with_body=False) for message in page.rows],
            next_page_token=page.next_page_token,
        )

    async def GetMessage(
        self, request: pb.GetMessageRequest, context: grpc.aio.ServicerContext
    ) -> pb.Message:
        return await self._opened(read_message, request.message_id)

    async def OpenCollectMessage(
        self, request: pb.OpenCollectMessageRequest, context: grpc.aio.ServicerContext
    ) -> pb.Message:
        return await self._opened(open_collect_message, request.message_id)

    async def _opened(
        self, opening: Callable[[Messaging, UUID, UUID], Message], raw_message_id: str
    ) -> pb.Message:
        message_id = parse_id(raw_message_id, "message_id")
        with request_fields(MESSAGE_ID_FIELDS):
            message = await asyncio.to_thread(opening, self.messaging, caller_account(), message_id)
        return message_view(message, self.messaging.clock())

    async def GetImage(
        self, request: pb.GetImageRequest, context: grpc.aio.ServicerContext
    ) -> pb.Image:
        message_id = parse_id(request.message_id, "message_id")
        caller = current_principal()
        with request_fields(MESSAGE_ID_FIELDS, image_not_found="image_index"):
            if caller.has(Role.FAMILY_MEMBER):
                command = GetImage(
                    caller_account(), message_id, request.image_index, request.thumbnail
                )
                found = await asyncio.to_thread(get_image, self.messaging, command)
            else:
                found = await asyncio.to_thread(
                    get_facility_image,
                    self.messaging,
                    caller,
                    message_id,
                    request.image_index,
                    request.thumbnail,
                )
        image = pb.Image(content_type=found.content_type, content=found.content or b"")
        if found.url is not None:
            image.url = found.url
            image.url_expires_at.CopyFrom(timestamp(self.messaging.clock() + SIGNED_URL_LIFETIME))
        return image

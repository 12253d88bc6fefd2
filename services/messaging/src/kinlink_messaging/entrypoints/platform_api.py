"""GetDeliveredMessage: what the platform's other services (the SMS gateway) read of a
resident's message delivered to a family member."""

from __future__ import annotations

import asyncio

import grpc
from kinlink.messaging.v1 import messaging_pb2 as pb
from kinlink_kit.auth import AccessPolicy
from kinlink_kit.auth import Role
from kinlink_kit.grpc_helpers import parse_id
from kinlink_kit.grpc_helpers import request_fields
from kinlink_kit.grpc_helpers import timestamp

from kinlink_messaging.entrypoints.messages import MESSAGE_ID_FIELDS
from kinlink_messaging.entrypoints.messages import method
from kinlink_messaging.service_layer.get_delivered_message import get_delivered_message
from kinlink_messaging.service_layer.messaging import Messaging

PLATFORM_POLICY: AccessPolicy = {
    method("GetDeliveredMessage"): frozenset({Role.PLATFORM_SERVICE}),
}


class PlatformApi:
    messaging: Messaging

    async def GetDeliveredMessage(
        self, request: pb.GetDeliveredMessageRequest, context: grpc.aio.ServicerContext
    ) -> pb.DeliveredMessage:
        message_id = parse_id(request.message_id, "message_id")
        with request_fields(MESSAGE_ID_FIELDS):
            found = await asyncio.to_thread(get_delivered_message, self.messaging, message_id)
        message = found.message
        return pb.DeliveredMessage(
            message_id=str(message.id),
            account_id=str(message.account_id),
            facility_id=message.facility_id,
            resident_id=message.resident_id,
            resident_name=found.resident_name,
            body=message.body,
            image_count=len(message.images),
            image_urls=found.image_urls,
            image_urls_expire_at=timestamp(found.image_urls_expire_at),
        )

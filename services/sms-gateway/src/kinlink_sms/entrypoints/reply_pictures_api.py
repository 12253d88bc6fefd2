"""GetReplyPicture: messaging reads the pictures of the SMS replies it passes on to residents."""

from __future__ import annotations

import asyncio

import grpc
from kinlink.sms.v1 import sms_pb2 as pb
from kinlink_kit.auth import AccessPolicy
from kinlink_kit.auth import Role
from kinlink_kit.grpc_helpers import parse_id
from kinlink_kit.grpc_helpers import request_fields

from kinlink_sms.entrypoints.messages import method
from kinlink_sms.service_layer.gateway import SmsGateway
from kinlink_sms.service_layer.reply_pictures import reply_picture

REPLY_PICTURES_POLICY: AccessPolicy = {
    method("GetReplyPicture"): frozenset({Role.PLATFORM_SERVICE}),
}
_FIELDS = {"reply_picture_not_found": "index", "picture_gone": "index"}


class ReplyPicturesApi:
    gateway: SmsGateway

    async def GetReplyPicture(
        self, request: pb.GetReplyPictureRequest, context: grpc.aio.ServicerContext
    ) -> pb.ReplyPicture:
        sms_id = parse_id(request.sms_id, "sms_id")
        with request_fields(_FIELDS):
            picture, content = await asyncio.to_thread(
                reply_picture, self.gateway, sms_id, request.index
            )
        return pb.ReplyPicture(
            sms_id=str(sms_id),
            index=picture.index,
            content_type=picture.content_type,
            content=content,
            sha256=picture.sha256,
        )

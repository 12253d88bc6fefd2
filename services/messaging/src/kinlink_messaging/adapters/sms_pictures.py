"""The `SmsPictures` port over the SMS gateway's gRPC API: GetReplyPicture, called as messaging's
own service account (role platform_service) with a deadline. The gateway unreachable or too
slow: `SmsPicturesUnavailable` (the event is handled again later); a picture it no longer has:
`SmsPictureGone`."""

from __future__ import annotations

from functools import cached_property
from uuid import UUID

import grpc
from kinlink.sms.v1 import sms_pb2 as pb
from kinlink.sms.v1.sms_pb2_grpc import SmsGatewayServiceStub
from kinlink_kit.grpc_client import refusal_code
from kinlink_kit.service_call import ServiceClient

from kinlink_messaging.domain.images import PlatformImageLimits
from kinlink_messaging.domain.ports import SmsPicture
from kinlink_messaging.domain.ports import SmsPictureGone
from kinlink_messaging.domain.ports import SmsPicturesUnavailable

# The largest picture any facility may allow, with room for the answer's other fields: gRPC's
# default (4 MB) would refuse a larger answer for good, and the reply would wait forever.
_LARGEST_ANSWER = PlatformImageLimits().max_bytes + 64 * 1024
# The gateway's refusals that mean the picture will never be given.
_GONE = frozenset({"reply_picture_not_found", "picture_gone", "sms_id_invalid"})


class GatewaySmsPictures(ServiceClient):
    callee = "sms-gateway"
    unavailable = SmsPicturesUnavailable
    channel_options = (("grpc.max_receive_message_length", _LARGEST_ANSWER),)

    @cached_property
    def _gateway(self) -> SmsGatewayServiceStub:
        return SmsGatewayServiceStub(self.channel)

    def reply_picture(self, sms_id: UUID, index: int) -> SmsPicture:
        request = pb.GetReplyPictureRequest(sms_id=str(sms_id), index=index)
        try:
            found = self.call("GetReplyPicture", self._gateway.GetReplyPicture, request)
        except grpc.RpcError as error:
            if refusal_code(error) in _GONE:
                raise SmsPictureGone() from error
            raise
        return SmsPicture(found.content, found.content_type)

"""PreviewSms: what a text would cost as SMS, before it is sent."""

from __future__ import annotations

import asyncio

import grpc
from kinlink.sms.v1 import sms_pb2 as pb
from kinlink_kit.auth import AccessPolicy
from kinlink_kit.grpc_helpers import request_fields

from kinlink_sms.entrypoints.messages import ENCODING
from kinlink_sms.entrypoints.messages import FAMILY
from kinlink_sms.entrypoints.messages import REQUEST_FIELDS
from kinlink_sms.entrypoints.messages import method
from kinlink_sms.service_layer.gateway import SmsGateway
from kinlink_sms.service_layer.preview_sms import preview_sms

PREVIEW_POLICY: AccessPolicy = {
    method("PreviewSms"): FAMILY,
}


class PreviewApi:
    gateway: SmsGateway

    async def PreviewSms(
        self, request: pb.PreviewSmsRequest, context: grpc.aio.ServicerContext
    ) -> pb.SmsPreview:
        with request_fields(REQUEST_FIELDS):
            preview = await asyncio.to_thread(
                preview_sms, self.gateway, request.facility_id, request.body
            )
        return pb.SmsPreview(
            encoding=ENCODING[preview.count.encoding],
            segments=preview.count.segments,
            units=preview.count.units,
            price_per_segment_cents=preview.price_per_segment_cents,
            total_cents=preview.total_cents,
            forcing_characters=[
                pb.ForcingCharacter(
                    character=forcing.character,
                    position=forcing.position,
                    replacement=forcing.replacement,
                )
                for forcing in preview.count.forcing
            ],
            suggested_body=preview.suggested_body,
            suggested_segments=preview.suggested.segments,
            suggested_total_cents=preview.suggested_total_cents,
        )

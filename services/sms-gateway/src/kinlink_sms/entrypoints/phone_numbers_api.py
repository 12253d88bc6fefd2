"""GetPhoneNumberStatus: operators look up whether a number opted out or is unreachable."""

from __future__ import annotations

import asyncio

import grpc
from kinlink.sms.v1 import sms_pb2 as pb
from kinlink_kit.auth import AccessPolicy
from kinlink_kit.auth import Role
from kinlink_kit.grpc_helpers import request_fields

from kinlink_sms.entrypoints.messages import REQUEST_FIELDS
from kinlink_sms.entrypoints.messages import method
from kinlink_sms.entrypoints.messages import timestamp
from kinlink_sms.service_layer.gateway import SmsGateway
from kinlink_sms.service_layer.get_phone_number_status import get_phone_number_status

PHONE_NUMBERS_POLICY: AccessPolicy = {
    method("GetPhoneNumberStatus"): frozenset({Role.OPERATOR, Role.AUDITOR}),
}


class PhoneNumbersApi:
    gateway: SmsGateway

    async def GetPhoneNumberStatus(
        self, request: pb.GetPhoneNumberStatusRequest, context: grpc.aio.ServicerContext
    ) -> pb.PhoneNumberStatus:
        with request_fields(REQUEST_FIELDS):
            phone = await asyncio.to_thread(
                get_phone_number_status, self.gateway, request.phone_number
            )
        status = pb.PhoneNumberStatus(
            phone_number=phone.phone_number,
            opted_out=phone.opted_out,
            opt_out_keyword=phone.opt_out_keyword or "",
            unreachable=phone.unreachable,
            carrier_error_code=phone.carrier_error_code or 0,
        )
        if phone.opted_out_at is not None:
            status.opted_out_at.CopyFrom(timestamp(phone.opted_out_at))
        return status

"""StartVerification, ResendVerificationCode and ConfirmVerification: a family member turns
SMS on for a resident on a number they prove is theirs."""

from __future__ import annotations

import asyncio

import grpc
from kinlink.sms.v1 import sms_pb2 as pb
from kinlink_kit.auth import AccessPolicy
from kinlink_kit.grpc_helpers import request_fields

from kinlink_sms.entrypoints.messages import FAMILY
from kinlink_sms.entrypoints.messages import REQUEST_FIELDS
from kinlink_sms.entrypoints.messages import caller_account
from kinlink_sms.entrypoints.messages import method
from kinlink_sms.entrypoints.messages import subscription_view
from kinlink_sms.entrypoints.messages import verification_view
from kinlink_sms.service_layer.confirm_verification import confirm_verification
from kinlink_sms.service_layer.gateway import SmsGateway
from kinlink_sms.service_layer.resend_verification_code import resend_verification_code
from kinlink_sms.service_layer.start_verification import StartVerification
from kinlink_sms.service_layer.start_verification import start_verification

VERIFICATION_POLICY: AccessPolicy = {
    method("StartVerification"): FAMILY,
    method("ResendVerificationCode"): FAMILY,
    method("ConfirmVerification"): FAMILY,
}
# Refused for the number it names; a resend or a confirmation names none (the number being
# verified is refused, in no field of theirs).
_NUMBER_FIELDS = dict.fromkeys(
    ("phone_number_opted_out", "phone_number_unreachable"), "phone_number"
)


class VerificationApi:
    gateway: SmsGateway

    async def StartVerification(
        self, request: pb.StartVerificationRequest, context: grpc.aio.ServicerContext
    ) -> pb.Verification:
        command = StartVerification(
            account_id=caller_account(),
            facility_id=request.facility_id,
            resident_id=request.resident_id,
            phone_number=request.phone_number,
            consent_version=request.consent_version,
        )
        with request_fields(REQUEST_FIELDS, _NUMBER_FIELDS):
            subscription = await asyncio.to_thread(start_verification, self.gateway, command)
        assert subscription.pending is not None
        return verification_view(subscription, subscription.pending)

    async def ResendVerificationCode(
        self, request: pb.ResendVerificationCodeRequest, context: grpc.aio.ServicerContext
    ) -> pb.Verification:
        account_id = caller_account()
        with request_fields(REQUEST_FIELDS):
            subscription = await asyncio.to_thread(
                resend_verification_code,
                self.gateway,
                account_id,
                request.facility_id,
                request.resident_id,
            )
        assert subscription.pending is not None
        return verification_view(subscription, subscription.pending)

    async def ConfirmVerification(
        self, request: pb.ConfirmVerificationRequest, context: grpc.aio.ServicerContext
    ) -> pb.SmsSubscription:
        account_id = caller_account()
        with request_fields(REQUEST_FIELDS):
            subscription = await asyncio.to_thread(
                confirm_verification,
                self.gateway,
                account_id,
                request.facility_id,
                request.resident_id,
                request.code,
            )
        return subscription_view(subscription)

"""A stand-in SMS gateway served over gRPC for the portal's journeys: SmsGatewayService as its
contract says, keeping one family's SMS settings in memory. The code it "texts" is recorded
(`codes`), numbers in `unreachable` are refused as a carrier would report them, and PreviewSms
counts with the gateway's own segment counter at the facility's message price."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from dataclasses import field
from typing import Any

import grpc
from google.protobuf.timestamp_pb2 import Timestamp
from grpc_status import rpc_status
from kinlink.sms.v1 import sms_pb2 as pb
from kinlink.sms.v1 import sms_pb2_grpc
from kinlink_contracts.sms_consent import SMS_CONSENT_WORDS
from kinlink_kit.errors import ClientError
from kinlink_kit.errors import FailedPrecondition
from kinlink_kit.errors import InvalidArgument
from kinlink_kit.errors import NotFound
from kinlink_kit.grpc_server import client_error_status
from kinlink_sms.domain.segments import Encoding
from kinlink_sms.domain.segments import count_segments
from kinlink_sms.domain.segments import plain_text

KINLINK_NUMBER = "+15005550006"
CODE_SECONDS, RESEND_SECONDS, ATTEMPTS = 600, 60, 5


def e164(typed: str) -> str:
    digits = re.sub(r"\D", "", typed)
    if len(digits) == 11 and digits.startswith("1"):
        digits = digits[1:]
    if len(digits) != 10:
        raise InvalidArgument("phone_number_invalid", "not a US number", field="phone_number")
    return f"+1{digits}"


def after(seconds: int, now: float) -> Timestamp:
    return Timestamp(seconds=int(now) + seconds)


@dataclass
class StandInSmsGateway(sms_pb2_grpc.SmsGatewayServiceServicer):
    price_per_segment_cents: int
    clock: Any  # () -> seconds since the epoch
    unreachable: set[str] = field(default_factory=set)
    codes: list[tuple[str, str]] = field(default_factory=list)  # (number, code) texted
    subscriptions: dict[tuple[str, str], pb.SmsSubscription] = field(default_factory=dict)
    history: list[pb.SmsHistoryEntry] = field(default_factory=list)

    async def refuse(self, context: grpc.aio.ServicerContext, error: ClientError) -> Any:
        await context.abort_with_status(rpc_status.to_status(client_error_status(error)))

    def text_code(self, verification: pb.Verification) -> None:
        code = f"{len(self.codes) + 123456}"
        self.codes.append((verification.phone_number, code))

    async def StartVerification(self, request: Any, context: Any) -> pb.Verification:
        try:
            number = e164(request.phone_number)
        except ClientError as error:
            return await self.refuse(context, error)
        if number in self.unreachable:
            unreachable = InvalidArgument(
                "phone_number_unreachable", "carrier error 30006", field="phone_number"
            )
            return await self.refuse(context, unreachable)
        key = (request.facility_id, request.resident_id)
        now = self.clock()
        verification = pb.Verification(
            facility_id=request.facility_id,
            resident_id=request.resident_id,
            phone_number=number,
            code_expires_at=after(CODE_SECONDS, now),
            resend_available_at=after(RESEND_SECONDS, now),
            attempts_left=ATTEMPTS,
            consent=pb.SmsConsent(
                version=request.consent_version,
                text=SMS_CONSENT_WORDS[request.consent_version],
            ),
        )
        subscription = self.subscriptions.get(key) or pb.SmsSubscription(
            facility_id=request.facility_id, resident_id=request.resident_id
        )
        if subscription.status != pb.SMS_SUBSCRIPTION_STATUS_ON:
            subscription.phone_number = ""
        subscription.status = pb.SMS_SUBSCRIPTION_STATUS_VERIFYING
        subscription.pending_verification.CopyFrom(verification)
        self.subscriptions[key] = subscription
        self.text_code(verification)
        return verification

    async def ResendVerificationCode(self, request: Any, context: Any) -> pb.Verification:
        subscription = self.subscriptions.get((request.facility_id, request.resident_id))
        if subscription is None or not subscription.HasField("pending_verification"):
            return await self.refuse(
                context, FailedPrecondition("verification_not_started", "no code")
            )
        pending = subscription.pending_verification
        if self.clock() < pending.resend_available_at.seconds:
            too_soon = FailedPrecondition("verification_resend_too_soon", "wait")
            return await self.refuse(context, too_soon)
        pending.resend_available_at.CopyFrom(after(RESEND_SECONDS, self.clock()))
        self.text_code(pending)
        return pending

    async def ConfirmVerification(self, request: Any, context: Any) -> pb.SmsSubscription:
        subscription = self.subscriptions.get((request.facility_id, request.resident_id))
        if subscription is None or not subscription.HasField("pending_verification"):
            return await self.refuse(
                context, FailedPrecondition("verification_not_started", "no code")
            )
        pending = subscription.pending_verification
        if (pending.phone_number, request.code) != self.codes[-1]:
            pending.attempts_left -= 1
            wrong = FailedPrecondition("verification_code_wrong", "wrong", field="code")
            return await self.refuse(context, wrong)
        subscription.status = pb.SMS_SUBSCRIPTION_STATUS_ON
        subscription.phone_number = pending.phone_number
        subscription.kinlink_number = KINLINK_NUMBER
        subscription.consent_version = pending.consent.version
        subscription.consented_at.CopyFrom(Timestamp(seconds=int(self.clock())))
        subscription.ClearField("pending_verification")
        return subscription

    async def DisableSms(self, request: Any, context: Any) -> pb.SmsSubscription:
        subscription = await self.GetSmsSubscription(request, context)
        subscription.status = pb.SMS_SUBSCRIPTION_STATUS_OFF
        subscription.off_reason = pb.SMS_OFF_REASON_DISABLED
        return subscription

    async def GetSmsSubscription(self, request: Any, context: Any) -> pb.SmsSubscription:
        subscription = self.subscriptions.get((request.facility_id, request.resident_id))
        if subscription is None:
            return await self.refuse(context, NotFound("sms_subscription_not_found", "none"))
        return subscription

    async def ListSmsSubscriptions(
        self, request: Any, context: Any
    ) -> pb.ListSmsSubscriptionsResponse:
        return pb.ListSmsSubscriptionsResponse(subscriptions=list(self.subscriptions.values()))

    async def PreviewSms(self, request: Any, context: Any) -> pb.SmsPreview:
        if not request.body:
            return await self.refuse(
                context, InvalidArgument("body_missing", "empty", field="body")
            )
        counted, suggested = count_segments(request.body), plain_text(request.body)
        price = self.price_per_segment_cents
        suggested_segments = count_segments(suggested).segments
        return pb.SmsPreview(
            encoding=pb.SMS_ENCODING_UCS2
            if counted.encoding is Encoding.UCS2
            else pb.SMS_ENCODING_GSM7,
            segments=counted.segments,
            units=counted.units,
            price_per_segment_cents=price,
            total_cents=counted.segments * price,
            forcing_characters=[
                pb.ForcingCharacter(
                    character=f.character, position=f.position, replacement=f.replacement
                )
                for f in counted.forcing
            ],
            suggested_body=suggested,
            suggested_segments=suggested_segments,
            suggested_total_cents=suggested_segments * price,
        )

    async def ListSmsHistory(self, request: Any, context: Any) -> pb.ListSmsHistoryResponse:
        return pb.ListSmsHistoryResponse(entries=self.history)


@asynccontextmanager
async def serving_sms_gateway(gateway: StandInSmsGateway) -> AsyncIterator[str]:
    """The stand-in on a port of its own; yields its address."""
    server = grpc.aio.server()
    sms_pb2_grpc.add_SmsGatewayServiceServicer_to_server(gateway, server)
    port = server.add_insecure_port("127.0.0.1:0")
    await server.start()
    try:
        yield f"127.0.0.1:{port}"
    finally:
        await server.stop(None)

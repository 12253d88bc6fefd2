"""kinlink.sms.v1.SmsGatewayService over gRPC, one module per part of the service."""

from __future__ import annotations

from kinlink.sms.v1 import sms_pb2_grpc

from kinlink_sms.entrypoints.history_api import HISTORY_POLICY
from kinlink_sms.entrypoints.history_api import HistoryApi
from kinlink_sms.entrypoints.messages import SERVICE_NAME
from kinlink_sms.entrypoints.phone_numbers_api import PHONE_NUMBERS_POLICY
from kinlink_sms.entrypoints.phone_numbers_api import PhoneNumbersApi
from kinlink_sms.entrypoints.preview_api import PREVIEW_POLICY
from kinlink_sms.entrypoints.preview_api import PreviewApi
from kinlink_sms.entrypoints.reply_pictures_api import REPLY_PICTURES_POLICY
from kinlink_sms.entrypoints.reply_pictures_api import ReplyPicturesApi
from kinlink_sms.entrypoints.subscriptions_api import SUBSCRIPTIONS_POLICY
from kinlink_sms.entrypoints.subscriptions_api import SubscriptionsApi
from kinlink_sms.entrypoints.verification_api import VERIFICATION_POLICY
from kinlink_sms.entrypoints.verification_api import VerificationApi
from kinlink_sms.service_layer.gateway import SmsGateway

__all__ = ["ACCESS_POLICY", "SERVICE_NAME", "SmsGatewayServicer"]

ACCESS_POLICY = {
    **VERIFICATION_POLICY,
    **SUBSCRIPTIONS_POLICY,
    **PREVIEW_POLICY,
    **HISTORY_POLICY,
    **PHONE_NUMBERS_POLICY,
    **REPLY_PICTURES_POLICY,
}


class SmsGatewayServicer(
    VerificationApi,
    SubscriptionsApi,
    PreviewApi,
    HistoryApi,
    PhoneNumbersApi,
    ReplyPicturesApi,
    sms_pb2_grpc.SmsGatewayServiceServicer,
):
    """Use cases are synchronous (the event store is); they run in worker threads."""

    def __init__(self, gateway: SmsGateway) -> None:
        self.gateway = gateway

"""kinlink.messaging.v1.MessagingService over gRPC, one module per part of the service."""

from __future__ import annotations

from kinlink.messaging.v1 import messaging_pb2_grpc

from kinlink_messaging.entrypoints.blocks_api import BLOCKS_POLICY
from kinlink_messaging.entrypoints.blocks_api import BlocksApi
from kinlink_messaging.entrypoints.drafts_api import DRAFTS_POLICY
from kinlink_messaging.entrypoints.drafts_api import DraftsApi
from kinlink_messaging.entrypoints.facility_api import FACILITY_POLICY
from kinlink_messaging.entrypoints.facility_api import FacilityApi
from kinlink_messaging.entrypoints.messages import SERVICE_NAME
from kinlink_messaging.entrypoints.messages_api import MESSAGES_POLICY
from kinlink_messaging.entrypoints.messages_api import MessagesApi
from kinlink_messaging.entrypoints.platform_api import PLATFORM_POLICY
from kinlink_messaging.entrypoints.platform_api import PlatformApi
from kinlink_messaging.entrypoints.review_api import REVIEW_POLICY
from kinlink_messaging.entrypoints.review_api import ReviewApi
from kinlink_messaging.service_layer.messaging import Messaging

__all__ = ["ACCESS_POLICY", "SERVICE_NAME", "MessagingServicer"]

ACCESS_POLICY = {
    **MESSAGES_POLICY,
    **DRAFTS_POLICY,
    **BLOCKS_POLICY,
    **REVIEW_POLICY,
    **FACILITY_POLICY,
    **PLATFORM_POLICY,
}


class MessagingServicer(
    MessagesApi,
    DraftsApi,
    BlocksApi,
    ReviewApi,
    FacilityApi,
    PlatformApi,
    messaging_pb2_grpc.MessagingServiceServicer,
):
    """Use cases are synchronous (the event store is); they run in worker threads."""

    def __init__(self, messaging: Messaging) -> None:
        self.messaging = messaging

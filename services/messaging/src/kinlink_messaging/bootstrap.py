"""Wires messaging from its settings: the one place that chooses adapters."""

from __future__ import annotations

from kinlink.messaging.v1 import messaging_pb2_grpc
from kinlink_contracts.facility_settings import ImageRules
from kinlink_kit.bus import Bus
from kinlink_kit.eventstore import open_store
from kinlink_kit.runtime import GrpcService
from kinlink_kit.runtime import ServiceParts
from kinlink_kit.settings import ServiceSettings
from kinlink_kit.views import view_store
from pydantic import Field

from kinlink_messaging.adapters.messaging_views import MessagingViews
from kinlink_messaging.domain.image_preparation import prepare_image
from kinlink_messaging.domain.images import ImageUpload
from kinlink_messaging.domain.images import PreparedImage
from kinlink_messaging.domain.images import effective_image_rules
from kinlink_messaging.domain.ports import Directory
from kinlink_messaging.domain.ports import ImageStore
from kinlink_messaging.domain.ports import Wallet
from kinlink_messaging.entrypoints.grpc_api import ACCESS_POLICY
from kinlink_messaging.entrypoints.grpc_api import SERVICE_NAME
from kinlink_messaging.entrypoints.grpc_api import MessagingServicer
from kinlink_messaging.service_layer.messaging import Messaging
from kinlink_messaging.service_layer.messaging import MessagingStore
from kinlink_messaging.service_layer.messaging import PrepareImage

MEGABYTE = 1024 * 1024


class MessagingSettings(ServiceSettings):
    service_name: str = "messaging"
    database: str = "kinlink_messaging"
    consumer_group: str = "kinlink-messaging"
    max_request_bytes: int = Field(
        default=64 * MEGABYTE,
        ge=4 * MEGABYTE,
        description="The largest gRPC request accepted: a message with its images as sent. "
        "Keep it above the platform's images per message times their largest size (5 x 10 MB).",
    )


def prepare_upload(upload: ImageUpload, rules: ImageRules) -> PreparedImage:
    """An upload checked against its facility's rules within the platform's, and re-encoded."""
    return prepare_image(upload, effective_image_rules(rules))


def build_messaging(
    settings: MessagingSettings,
    *,
    wallet: Wallet,
    images: ImageStore,
    directory: Directory,
    prepare_image: PrepareImage | None = None,
) -> Messaging:
    store = open_store(MessagingStore, settings, settings.database)
    return Messaging(
        store=store,
        views=MessagingViews.open(store, view_store(settings, settings.database)),
        wallet=wallet,
        images=images,
        directory=directory,
        prepare_image=prepare_image or prepare_upload,
    )


def messaging_service(settings: MessagingSettings, bus: Bus, messaging: Messaging) -> ServiceParts:
    """Messaging's part of a process: its gRPC service and its read models' follower."""
    return ServiceParts(
        name="messaging",
        grpc=[
            GrpcService(
                SERVICE_NAME,
                MessagingServicer(messaging),
                messaging_pb2_grpc.add_MessagingServiceServicer_to_server,
            )
        ],
        background=[messaging.views.follower().run],
        close=messaging.close,
        access_policy=ACCESS_POLICY,
        max_request_bytes=settings.max_request_bytes,
    )

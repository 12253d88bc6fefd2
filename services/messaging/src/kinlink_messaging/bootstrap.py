"""Wires messaging from its settings: the one place that chooses adapters."""

from __future__ import annotations

import threading
from datetime import timedelta

from kinlink.messaging.v1 import messaging_pb2_grpc
from kinlink_contracts.facility_settings import ImageRules
from kinlink_contracts.topics import FACILITY_EVENTS
from kinlink_contracts.topics import IDENTITY_EVENTS
from kinlink_contracts.topics import SMS_EVENTS
from kinlink_kit.bus import Bus
from kinlink_kit.consumer import consume
from kinlink_kit.eventstore import open_store
from kinlink_kit.leadership import Leadership
from kinlink_kit.migration import create_tables
from kinlink_kit.outbox import each
from kinlink_kit.outbox import outbox_relay_jobs
from kinlink_kit.projection import projection_jobs
from kinlink_kit.runtime import GrpcService
from kinlink_kit.runtime import ServiceParts
from kinlink_kit.service_account import ServiceAccountSettings
from kinlink_kit.service_call import ServiceClient
from kinlink_kit.views import view_store
from pydantic import Field

from kinlink_messaging.adapters.directory import RecordedDirectory
from kinlink_messaging.adapters.image_store_settings import ImageStoreSettings
from kinlink_messaging.adapters.image_store_settings import open_image_store
from kinlink_messaging.adapters.integration_events import MessagingEventTranslator
from kinlink_messaging.adapters.ledger_wallet import LedgerWallet
from kinlink_messaging.adapters.ledger_wallet import LedgerWalletSettings
from kinlink_messaging.adapters.messaging_views import MessagingViews
from kinlink_messaging.adapters.sms_pictures import GatewaySmsPictures
from kinlink_messaging.domain import image_preparation
from kinlink_messaging.domain.images import ImageUpload
from kinlink_messaging.domain.images import PreparedImage
from kinlink_messaging.domain.images import effective_image_rules
from kinlink_messaging.domain.ports import Directory
from kinlink_messaging.domain.ports import ImageStore
from kinlink_messaging.domain.ports import SmsPictures
from kinlink_messaging.domain.ports import Wallet
from kinlink_messaging.entrypoints.facility_events import FACILITY_HANDLERS
from kinlink_messaging.entrypoints.grpc_api import ACCESS_POLICY
from kinlink_messaging.entrypoints.grpc_api import SERVICE_NAME
from kinlink_messaging.entrypoints.grpc_api import MessagingServicer
from kinlink_messaging.entrypoints.identity_events import IDENTITY_HANDLERS
from kinlink_messaging.entrypoints.rejection_refunds import RejectionRefunds
from kinlink_messaging.entrypoints.sms_events import SMS_HANDLERS
from kinlink_messaging.entrypoints.sweeps import expiry_job
from kinlink_messaging.entrypoints.sweeps import payment_sweep
from kinlink_messaging.service_layer.messaging import Messaging
from kinlink_messaging.service_layer.messaging import MessagingStore
from kinlink_messaging.service_layer.messaging import PreparedImage as PreparedPhoto
from kinlink_messaging.service_layer.messaging import PrepareImage

MEGABYTE = 1024 * 1024


class MessagingSettings(ImageStoreSettings, LedgerWalletSettings, ServiceAccountSettings):
    """Messaging's own settings, where its images are kept (KINLINK_S3_*, else a folder under
    the data directory), the ledger it charges (KINLINK_LEDGER_TARGET,
    KINLINK_WALLET_DEADLINE_SECONDS) and how it signs in to call it (KINLINK_IDENTITY_TARGET,
    KINLINK_SERVICE_ACCOUNT_EMAIL, KINLINK_SERVICE_ACCOUNT_PASSWORD)."""

    service_name: str = "messaging"
    database: str = "kinlink_messaging"
    consumer_group: str = "kinlink-messaging"
    max_request_bytes: int = Field(
        default=64 * MEGABYTE,
        ge=4 * MEGABYTE,
        description="The largest gRPC request accepted: a message with its images as sent. "
        "Keep it above the platform's images per message times their largest size (5 x 10 MB).",
    )
    message_payment_sweep_after_seconds: float = Field(
        default=300.0,
        gt=0,
        description="Messages still awaiting their payment this long after they started are "
        "settled by the payment sweep: submitted if the wallet took the payment, else "
        "abandoned. Never charges.",
    )
    message_payment_sweep_every_seconds: float = Field(
        default=60.0, gt=0, description="How often the payment sweep looks."
    )
    message_expiry_every_seconds: float = Field(
        default=600.0,
        gt=0,
        description="How often the expiry job records expired messages and deletes their "
        "images (the read path refuses them at their expiry whatever the job has done).",
    )
    directory_settings_max_age_seconds: float = Field(
        default=1.0,
        gt=0,
        description="A facility's settings are read again after this long: a change reaches "
        "every replica within it.",
    )
    sms_gateway_target: str = Field(
        default="127.0.0.1:50051",
        description="host:port of the SMS gateway's gRPC API, where the pictures of family "
        "members' SMS replies are read.",
    )
    sms_gateway_deadline_seconds: float = Field(
        default=10.0,
        gt=0,
        description="How long reading one picture of an SMS reply may take before the gateway "
        "is reported unavailable (the reply is passed on again later).",
    )
    images_prepared_at_once: int = Field(
        default=1,
        ge=1,
        description="Photos one process decodes and re-encodes at the same time; more wait. "
        "Each holds its pixels in memory (a 12-megapixel photo about 50 MB, 4 bytes a pixel): "
        "this bounds the process's memory. One keeps a process under 200 MB (decision 0102); "
        "one per core prepares photos faster where memory allows.",
    )


def prepare_upload(upload: ImageUpload, rules: ImageRules) -> PreparedImage:
    """An upload checked against its facility's rules within the platform's, and re-encoded."""
    return image_preparation.prepare_image(upload, effective_image_rules(rules))


def at_most(at_once: int, prepare: PrepareImage) -> PrepareImage:
    """`prepare` run by `at_once` threads at a time at most, the others waiting their turn."""
    turns = threading.BoundedSemaphore(at_once)

    def preparing(upload: ImageUpload, rules: ImageRules) -> PreparedPhoto:
        with turns:
            return prepare(upload, rules)

    return preparing


def create_messaging_tables(settings: MessagingSettings) -> None:
    """Every table of messaging's database: its `migrate` command (decision 0085)."""
    create_tables(settings, settings.database, MessagingStore, MessagingViews.open)


def build_messaging(
    settings: MessagingSettings,
    *,
    wallet: Wallet | None = None,
    images: ImageStore | None = None,
    directory: Directory | None = None,
    prepare_image: PrepareImage | None = None,
    sms_pictures: SmsPictures | None = None,
) -> Messaging:
    store = open_store(MessagingStore, settings, settings.database)
    return Messaging(
        store=store,
        views=MessagingViews.open(store, view_store(settings, settings.database)),
        wallet=wallet or LedgerWallet.from_settings(settings, settings.service_account()),
        images=images or open_image_store(settings),
        directory=directory
        or RecordedDirectory(store, settings_max_age=settings.directory_settings_max_age_seconds),
        prepare_image=prepare_image or at_most(settings.images_prepared_at_once, prepare_upload),
        sms_pictures=sms_pictures
        or GatewaySmsPictures(
            settings.sms_gateway_target,
            settings.service_account(),
            timedelta(seconds=settings.sms_gateway_deadline_seconds),
        ),
    )


def close_messaging(messaging: Messaging) -> None:
    messaging.close()
    for client in (messaging.wallet, messaging.sms_pictures):
        if isinstance(client, ServiceClient):
            client.close()  # its channel to the ledger or the SMS gateway


def messaging_service(settings: MessagingSettings, bus: Bus, messaging: Messaging) -> ServiceParts:
    """Messaging's part of a process: its gRPC service; its directory from identity's events;
    residents' replies from the facilities' topic; family members' SMS replies from the SMS
    gateway's topic; its outbox relayed to
    kinlink.messaging.events.v1; the read models' follower; the payment sweep, the expiry job
    and the refunds of rejected messages, each in one replica at a time."""
    consume(
        messaging,
        bus,
        settings.consumer_group,
        {
            IDENTITY_EVENTS: IDENTITY_HANDLERS,
            FACILITY_EVENTS: FACILITY_HANDLERS,
            SMS_EVENTS: SMS_HANDLERS,
        },
    )
    database_url = settings.database_url(settings.database)
    background = [
        *projection_jobs(settings, settings.database, messaging.views.follower()),
        payment_sweep(
            messaging,
            Leadership(database_url, "messaging payment sweep"),
            settled_after=timedelta(seconds=settings.message_payment_sweep_after_seconds),
            every_seconds=settings.message_payment_sweep_every_seconds,
        ).run,
        expiry_job(
            messaging,
            Leadership(database_url, "messaging expiry"),
            every_seconds=settings.message_expiry_every_seconds,
        ).run,
        RejectionRefunds(messaging, Leadership(database_url, "messaging rejection refunds")).run,
        *outbox_relay_jobs(
            settings,
            settings.database,
            messaging.store,
            bus,
            each(MessagingEventTranslator(messaging.store)),
        ),
    ]
    servicer = MessagingServicer(messaging)
    return ServiceParts(
        name="messaging",
        grpc=[
            GrpcService(
                SERVICE_NAME, servicer, messaging_pb2_grpc.add_MessagingServiceServicer_to_server
            )
        ],
        background=background,
        close=lambda: close_messaging(messaging),
        access_policy=ACCESS_POLICY,
        max_request_bytes=settings.max_request_bytes,
    )

"""Wires the SMS gateway from its settings: the one place that chooses adapters."""

from __future__ import annotations

from datetime import timedelta

from kinlink.sms.v1 import sms_pb2_grpc
from kinlink_contracts.topics import IDENTITY_EVENTS
from kinlink_contracts.topics import MESSAGING_EVENTS
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

from kinlink_sms.adapters.carriers import open_carrier
from kinlink_sms.adapters.directory import RecordedDirectory
from kinlink_sms.adapters.integration_events import SmsEventTranslator
from kinlink_sms.adapters.ledger_wallet import LedgerWallet
from kinlink_sms.adapters.ledger_wallet import LedgerWalletSettings
from kinlink_sms.adapters.messaging_reader import MessagingReader
from kinlink_sms.adapters.picture_folder import FolderPictureStore
from kinlink_sms.adapters.sms_views import SmsViews
from kinlink_sms.adapters.twilio_settings import TwilioSettings
from kinlink_sms.domain.ports import Carrier
from kinlink_sms.domain.ports import Directory
from kinlink_sms.domain.ports import Messages
from kinlink_sms.domain.ports import Wallet
from kinlink_sms.entrypoints.carrier_reports import CarrierReports
from kinlink_sms.entrypoints.grpc_api import ACCESS_POLICY
from kinlink_sms.entrypoints.grpc_api import SERVICE_NAME
from kinlink_sms.entrypoints.grpc_api import SmsGatewayServicer
from kinlink_sms.entrypoints.identity_events import IDENTITY_HANDLERS
from kinlink_sms.entrypoints.messaging_events import MESSAGING_HANDLERS
from kinlink_sms.entrypoints.outbound_jobs import dispatcher
from kinlink_sms.entrypoints.outbound_jobs import outbound_settle_sweep
from kinlink_sms.entrypoints.reply_sweep import reply_settle_sweep
from kinlink_sms.entrypoints.webhook import carrier_jobs
from kinlink_sms.service_layer.gateway import SmsGateway
from kinlink_sms.service_layer.gateway import SmsOptions
from kinlink_sms.service_layer.gateway import SmsStore


class SmsSettings(TwilioSettings, LedgerWalletSettings, ServiceAccountSettings):
    """The gateway's own settings: its pool of Kinlink numbers, how often a failed SMS is sent,
    messaging it reads from, Twilio's account and the webhook Twilio calls (KINLINK_TWILIO_*,
    KINLINK_SMS_WEBHOOK_*; without an account the simulated carrier), and how it signs in to
    call others (KINLINK_IDENTITY_TARGET, KINLINK_SERVICE_ACCOUNT_EMAIL,
    KINLINK_SERVICE_ACCOUNT_PASSWORD). The ledger's address comes with the wallet's settings,
    mixed in beside the service account's."""

    service_name: str = "sms-gateway"
    database: str = "kinlink_sms"
    consumer_group: str = "kinlink-sms-gateway"
    sms_numbers: list[str] = Field(
        default_factory=list,
        description="The pool of Kinlink numbers SMS are sent from, E.164, JSON list: each "
        "conversation of one family phone has its own, so a phone can follow as many residents "
        "as there are numbers.",
        examples=[["+15005550006", "+15005550007"]],
    )
    sms_send_attempts: int = Field(
        default=4,
        ge=1,
        description="How often a failed SMS is sent (the first time included), with "
        "exponential backoff, before it is reported failed.",
    )
    sms_support_url: str = Field(
        default="https://kinlink.org/help/sms",
        description="Where the answer to HELP sends the family member.",
    )
    sms_reply_settle_after_seconds: float = Field(
        default=300.0,
        gt=0,
        description="SMS replies still received, not charged, this long after they came are "
        "charged again by the settle sweep (once per reply: the ledger charges a reference "
        "once) and passed on or refused. Keep it above the webhook's longest answer.",
    )
    sms_reply_settle_every_seconds: float = Field(
        default=60.0, gt=0, description="How often the settle sweep looks."
    )
    sms_dispatch_every_seconds: float = Field(
        default=1.0,
        gt=0,
        description="How often the dispatcher looks for SMS due to be sent: a resident's "
        "message reaches the phone within about this long.",
    )
    sms_settle_after_seconds: float = Field(
        default=300.0,
        gt=0,
        description="An SMS sent this long without a final status is asked about (a lost "
        "callback); one whose send never answered is tried again; one delivered and not yet "
        "charged is charged (once for its SID).",
    )
    sms_settle_every_seconds: float = Field(
        default=60.0, gt=0, description="How often the outbound settle sweep looks."
    )
    directory_settings_max_age_seconds: float = Field(
        default=1.0,
        gt=0,
        description="A facility's settings are read again after this long: a change reaches "
        "every replica within it.",
    )
    messaging_target: str = Field(
        default="127.0.0.1:50051",
        description="host:port of the messaging service's gRPC API, where delivered messages "
        "are read.",
    )
    messaging_deadline_seconds: float = Field(
        default=5.0,
        gt=0,
        description="How long reading a delivered message may take before messaging is "
        "reported unavailable (the SMS waits for the dispatcher's next round).",
    )

    def options(self) -> SmsOptions:
        return SmsOptions(
            kinlink_numbers=tuple(self.sms_numbers),
            send_attempts=self.sms_send_attempts,
            support_url=self.sms_support_url,
        )


def _wallet(settings: SmsSettings) -> Wallet:
    return LedgerWallet.from_settings(settings, settings.service_account())


def _messages(settings: SmsSettings) -> Messages:
    deadline = timedelta(seconds=settings.messaging_deadline_seconds)
    return MessagingReader(settings.messaging_target, settings.service_account(), deadline)


def create_sms_gateway_tables(settings: SmsSettings) -> None:
    """Every table of the SMS gateway's database: its `migrate` command (decision 0085)."""
    create_tables(settings, settings.database, SmsStore, SmsViews.open)


def build_sms_gateway(
    settings: SmsSettings,
    *,
    carrier: Carrier | None = None,
    wallet: Wallet | None = None,
    messages: Messages | None = None,
    directory: Directory | None = None,
) -> SmsGateway:
    store = open_store(SmsStore, settings, settings.database)
    return SmsGateway(
        store=store,
        views=SmsViews.open(store, view_store(settings, settings.database)),
        carrier=carrier or open_carrier(settings),
        wallet=wallet or _wallet(settings),
        messages=messages or _messages(settings),
        directory=directory
        or RecordedDirectory(store, settings_max_age=settings.directory_settings_max_age_seconds),
        options=settings.options(),
        # Under the data directory in both modes: a replica without a picture fetches it again
        # from the carrier (decision 0046).
        pictures=FolderPictureStore(settings.data_dir / "sms-pictures"),
    )


def close_sms_gateway(gateway: SmsGateway) -> None:
    gateway.close()
    for client in (gateway.wallet, gateway.messages):
        if isinstance(client, ServiceClient):
            client.close()  # its channel to the ledger or messaging


def sms_gateway_service(settings: SmsSettings, bus: Bus, gateway: SmsGateway) -> ServiceParts:
    """The gateway's part of a process: its gRPC service; facilities' settings from identity's
    events and correspondence from messaging's; its outbox relayed to kinlink.sms.events.v1;
    the read models' follower; the dispatcher of queued SMS and the settle sweeps of SMS sent
    and of SMS replies, each in one replica at a time; the carrier's reports (Twilio's webhook,
    or the simulated carrier's) handed to the use cases."""
    consume(
        gateway,
        bus,
        settings.consumer_group,
        {IDENTITY_EVENTS: IDENTITY_HANDLERS, MESSAGING_EVENTS: MESSAGING_HANDLERS},
    )
    database_url = settings.database_url(settings.database)
    background = [
        *projection_jobs(settings, settings.database, gateway.views.follower()),
        dispatcher(
            gateway,
            Leadership(database_url, "sms dispatcher"),
            every_seconds=settings.sms_dispatch_every_seconds,
        ).run,
        outbound_settle_sweep(
            gateway,
            Leadership(database_url, "sms settle sweep"),
            settled_after=timedelta(seconds=settings.sms_settle_after_seconds),
            every_seconds=settings.sms_settle_every_seconds,
        ).run,
        reply_settle_sweep(
            gateway,
            Leadership(database_url, "sms reply settle sweep"),
            settled_after=timedelta(seconds=settings.sms_reply_settle_after_seconds),
            every_seconds=settings.sms_reply_settle_every_seconds,
        ).run,
        *carrier_jobs(settings, gateway.carrier, CarrierReports(gateway)),
        *outbox_relay_jobs(
            settings,
            settings.database,
            gateway.store,
            bus,
            each(SmsEventTranslator(gateway.store)),
        ),
    ]
    return ServiceParts(
        name="sms-gateway",
        grpc=[
            GrpcService(
                SERVICE_NAME,
                SmsGatewayServicer(gateway),
                sms_pb2_grpc.add_SmsGatewayServiceServicer_to_server,
            )
        ],
        background=background,
        close=lambda: close_sms_gateway(gateway),
        access_policy=ACCESS_POLICY,
    )

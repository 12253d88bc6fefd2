"""Wires visitation from its settings: the one place that chooses adapters."""

from __future__ import annotations

from functools import partial

from kinlink.visitation.v1 import visitation_pb2_grpc
from kinlink_contracts.topics import IDENTITY_EVENTS
from kinlink_kit.bus import Bus
from kinlink_kit.consumer import consume
from kinlink_kit.eventstore import open_store
from kinlink_kit.facility_settings import RecordedFacilities
from kinlink_kit.leadership import Leadership
from kinlink_kit.ledger_wallet import LedgerWalletSettings
from kinlink_kit.migration import create_tables
from kinlink_kit.outbox import each
from kinlink_kit.outbox import outbox_relay_jobs
from kinlink_kit.projection import projection_jobs
from kinlink_kit.residents import RecordedResidents
from kinlink_kit.runtime import GrpcService
from kinlink_kit.runtime import ServiceParts
from kinlink_kit.service_account import ServiceAccountSettings
from kinlink_kit.service_call import ServiceClient
from kinlink_kit.settings import ServiceSettings
from kinlink_kit.views import view_store
from pydantic import Field

from kinlink_visitation.adapters.integration_events import VisitationEventTranslator
from kinlink_visitation.adapters.ledger_wallet import LedgerWallet
from kinlink_visitation.adapters.livekit_settings import LiveKitSettings
from kinlink_visitation.adapters.video_rooms import open_video_rooms
from kinlink_visitation.adapters.visitation_views import VisitationViews
from kinlink_visitation.domain.ports import FacilityNotFound
from kinlink_visitation.domain.video import VideoRooms
from kinlink_visitation.domain.wallet import Wallet
from kinlink_visitation.entrypoints.grpc_api import ACCESS_POLICY
from kinlink_visitation.entrypoints.grpc_api import SERVICE_NAME
from kinlink_visitation.entrypoints.grpc_api import VisitationServicer
from kinlink_visitation.entrypoints.identity_events import IDENTITY_HANDLERS
from kinlink_visitation.entrypoints.money_sweeps import MoneySweepSettings
from kinlink_visitation.entrypoints.money_sweeps import money_sweeps
from kinlink_visitation.entrypoints.presence_sweep import presence_sweep
from kinlink_visitation.entrypoints.sweeps import missed_visit_sweep
from kinlink_visitation.entrypoints.video_webhook import video_report_jobs
from kinlink_visitation.service_layer.room_reports import record_room_report
from kinlink_visitation.service_layer.visitation import Visitation
from kinlink_visitation.service_layer.visitation import VisitationStore


class VisitationSettings(
    ServiceSettings,
    LedgerWalletSettings,
    ServiceAccountSettings,
    LiveKitSettings,
    MoneySweepSettings,
):
    """Visitation's own settings, the ledger whose wallets it charges per minute
    (KINLINK_LEDGER_TARGET, KINLINK_WALLET_DEADLINE_SECONDS) and how it signs in to call it
    (KINLINK_IDENTITY_TARGET, KINLINK_SERVICE_ACCOUNT_EMAIL, KINLINK_SERVICE_ACCOUNT_PASSWORD),
    its video provider (KINLINK_LIVEKIT_*, KINLINK_VIDEO_WEBHOOK_*; without a LiveKit URL the
    simulated provider) and how often its money sweeps run (KINLINK_VISIT_METER_SECONDS, ...)."""

    service_name: str = "visitation"
    database: str = "kinlink_visitation"
    consumer_group: str = "kinlink-visitation"
    facility_settings_max_age_seconds: float = Field(
        default=1.0,
        gt=0,
        description="A facility's settings are read again after this long: a change reaches "
        "every replica within it.",
    )
    missed_sweep_every_seconds: float = Field(
        default=60.0,
        gt=0,
        description="How often visits whose window ended without ever connecting are marked "
        "missed (nothing is charged for them).",
    )


def create_visitation_tables(settings: VisitationSettings) -> None:
    """Every table of visitation's database: its `migrate` command (decision 0085)."""
    create_tables(settings, settings.database, VisitationStore, VisitationViews.open)


def build_visitation(
    settings: VisitationSettings,
    *,
    wallet: Wallet | None = None,
    rooms: VideoRooms | None = None,
) -> Visitation:
    store = open_store(VisitationStore, settings, settings.database)
    return Visitation(
        store=store,
        views=VisitationViews.open(store, view_store(settings, settings.database)),
        facilities=RecordedFacilities(
            store, FacilityNotFound, settings.facility_settings_max_age_seconds
        ),
        residents=RecordedResidents(store),
        wallet=wallet or LedgerWallet.from_settings(settings, settings.service_account()),
        rooms=rooms or open_video_rooms(settings),
    )


def close_visitation(visitation: Visitation) -> None:
    visitation.close()
    if isinstance(visitation.wallet, ServiceClient):
        visitation.wallet.close()  # its channel to the ledger


def visitation_service(
    settings: VisitationSettings, bus: Bus, visitation: Visitation
) -> ServiceParts:
    """Visitation's part of a process: its gRPC service; facilities' settings and residents from
    identity's events; its outbox relayed to kinlink.visitation.events.v1; the read models'
    follower; the video provider's reports of its rooms (LiveKit's webhook, or the simulated
    provider's); the missed-visit and presence sweeps and the money sweeps (the meter, the
    window's end, refund credits), each in one replica at a time."""
    consume(visitation, bus, settings.consumer_group, {IDENTITY_EVENTS: IDENTITY_HANDLERS})
    database_url = settings.database_url(settings.database)
    background = [
        *projection_jobs(settings, settings.database, visitation.views.follower()),
        missed_visit_sweep(
            visitation,
            Leadership(database_url, "visitation missed visits"),
            every_seconds=settings.missed_sweep_every_seconds,
        ).run,
        *outbox_relay_jobs(
            settings,
            settings.database,
            visitation.store,
            bus,
            each(VisitationEventTranslator(visitation.store)),
        ),
        presence_sweep(
            visitation,
            Leadership(database_url, "visitation presence"),
            every_seconds=settings.presence_sweep_every_seconds,
        ).run,
        *video_report_jobs(
            settings,
            settings.shutdown_grace_seconds,
            visitation.rooms,
            partial(record_room_report, visitation),
        ),
        *(sweep.run for sweep in money_sweeps(visitation, database_url, settings)),
    ]
    return ServiceParts(
        name="visitation",
        grpc=[
            GrpcService(
                SERVICE_NAME,
                VisitationServicer(visitation),
                visitation_pb2_grpc.add_VisitationServiceServicer_to_server,
            )
        ],
        background=background,
        close=lambda: close_visitation(visitation),
        access_policy=ACCESS_POLICY,
    )

"""Wires the commissary from its settings: the one place that chooses adapters."""

from __future__ import annotations

from datetime import timedelta

from kinlink.commissary.v1 import commissary_pb2_grpc
from kinlink_contracts.topics import FACILITY_EVENTS
from kinlink_contracts.topics import IDENTITY_EVENTS
from kinlink_contracts.topics import LEDGER_EVENTS
from kinlink_kit.bus import Bus
from kinlink_kit.consumer import consume
from kinlink_kit.eventstore import open_store
from kinlink_kit.facility_settings import RecordedFacilities
from kinlink_kit.leadership import Leadership
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

from kinlink_commissary.adapters.commissary_views import CommissaryViews
from kinlink_commissary.adapters.integration_events import CommissaryEventTranslator
from kinlink_commissary.adapters.ledger_client import LedgerSettings
from kinlink_commissary.adapters.ledger_holds import LedgerHolds
from kinlink_commissary.adapters.ledger_orders import LedgerOrderCharges
from kinlink_commissary.domain.ports import AllowanceHolds
from kinlink_commissary.domain.ports import FacilityNotFound
from kinlink_commissary.domain.ports import OrderCharges
from kinlink_commissary.entrypoints.facility_events import FACILITY_HANDLERS
from kinlink_commissary.entrypoints.grpc_api import ACCESS_POLICY
from kinlink_commissary.entrypoints.grpc_api import SERVICE_NAME
from kinlink_commissary.entrypoints.grpc_api import CommissaryServicer
from kinlink_commissary.entrypoints.identity_events import IDENTITY_HANDLERS
from kinlink_commissary.entrypoints.ledger_events import LEDGER_HANDLERS
from kinlink_commissary.entrypoints.order_jobs import posting_scheduler
from kinlink_commissary.entrypoints.order_jobs import processing_sweep
from kinlink_commissary.entrypoints.overdue_sweep import overdue_sweep
from kinlink_commissary.entrypoints.sweeps import allowance_period_sweep
from kinlink_commissary.service_layer.commissary import Commissary
from kinlink_commissary.service_layer.commissary import CommissaryStore


class CommissarySettings(ServiceSettings, LedgerSettings, ServiceAccountSettings):
    """The commissary's own settings, the ledger it holds cards and charges through
    (KINLINK_LEDGER_TARGET, KINLINK_LEDGER_DEADLINE_SECONDS) and how it signs in to call it
    (KINLINK_IDENTITY_TARGET, KINLINK_SERVICE_ACCOUNT_EMAIL, KINLINK_SERVICE_ACCOUNT_PASSWORD)."""

    service_name: str = "commissary"
    database: str = "kinlink_commissary"
    consumer_group: str = "kinlink-commissary"
    facility_settings_max_age_seconds: float = Field(
        default=1.0,
        gt=0,
        description="A facility's settings are read again after this long: a change reaches "
        "every replica within it.",
    )
    allowance_period_sweep_every_seconds: float = Field(
        default=60.0,
        gt=0,
        description="How often allowances whose period is over are ended (the ledger then "
        "captures what was used). Purchases made after the period are never paid from one.",
    )
    overdue_sweep_every_seconds: float = Field(
        default=3600.0,
        gt=0,
        description="How often paid orders not delivered a week after payment are flagged.",
    )
    order_sweep_after_seconds: float = Field(
        default=300.0,
        gt=0,
        description="An order still processing this long after its charge was asked (the "
        "ledger's answer lost) is asked again, with the same attempt, by the processing sweep.",
    )
    order_sweep_every_seconds: float = Field(
        default=60.0, gt=0, description="How often the processing sweep looks."
    )
    posting_schedule_every_seconds: float = Field(
        default=60.0,
        gt=0,
        description="How often the scheduler looks for facilities whose posting day and time "
        "have come (a run starts at most this long after the facility's posting time).",
    )


def create_commissary_tables(settings: CommissarySettings) -> None:
    """Every table of the commissary's database: its `migrate` command (decision 0085)."""
    create_tables(settings, settings.database, CommissaryStore, CommissaryViews.open)


def build_commissary(
    settings: CommissarySettings,
    *,
    holds: AllowanceHolds | None = None,
    charges: OrderCharges | None = None,
) -> Commissary:
    store = open_store(CommissaryStore, settings, settings.database)
    return Commissary(
        store=store,
        views=CommissaryViews.open(store, view_store(settings, settings.database)),
        holds=holds or LedgerHolds.from_settings(settings, settings.service_account()),
        facilities=RecordedFacilities(
            store, FacilityNotFound, settings.facility_settings_max_age_seconds
        ),
        residents=RecordedResidents(store),
        charges=charges or LedgerOrderCharges.from_settings(settings, settings.service_account()),
    )


def close_commissary(commissary: Commissary) -> None:
    commissary.close()
    for client in (commissary.holds, commissary.charges):
        if isinstance(client, ServiceClient):
            client.close()  # its channel to the ledger


def commissary_service(
    settings: CommissarySettings, bus: Bus, commissary: Commissary
) -> ServiceParts:
    """The commissary's part of a process: its gRPC service; facilities' settings and residents
    from identity's events; what facility integrations report from the facilities' topic; the
    settlements of allowances from the ledger's; its outbox relayed to
    kinlink.commissary.events.v1; the read models' follower; the allowance period-end sweep, the
    posting scheduler and the orders' processing sweep, each in one replica at a time."""
    consume(
        commissary,
        bus,
        settings.consumer_group,
        {
            IDENTITY_EVENTS: IDENTITY_HANDLERS,
            FACILITY_EVENTS: FACILITY_HANDLERS,
            LEDGER_EVENTS: LEDGER_HANDLERS,
        },
    )
    database_url = settings.database_url(settings.database)
    background = [
        *projection_jobs(settings, settings.database, commissary.views.follower()),
        allowance_period_sweep(
            commissary,
            Leadership(database_url, "commissary allowance period end"),
            every_seconds=settings.allowance_period_sweep_every_seconds,
        ).run,
        posting_scheduler(
            commissary,
            Leadership(database_url, "commissary posting"),
            every_seconds=settings.posting_schedule_every_seconds,
        ).run,
        processing_sweep(
            commissary,
            Leadership(database_url, "commissary processing sweep"),
            settled_after=timedelta(seconds=settings.order_sweep_after_seconds),
            every_seconds=settings.order_sweep_every_seconds,
        ).run,
        *outbox_relay_jobs(
            settings,
            settings.database,
            commissary.store,
            bus,
            each(CommissaryEventTranslator(commissary.store)),
        ),
        overdue_sweep(
            commissary,
            Leadership(database_url, "commissary overdue sweep"),
            every_seconds=settings.overdue_sweep_every_seconds,
        ).run,
    ]
    servicer = CommissaryServicer(commissary)
    return ServiceParts(
        name="commissary",
        grpc=[
            GrpcService(
                SERVICE_NAME,
                servicer,
                commissary_pb2_grpc.add_CommissaryServiceServicer_to_server,
            )
        ],
        background=background,
        close=lambda: close_commissary(commissary),
        access_policy=ACCESS_POLICY,
    )

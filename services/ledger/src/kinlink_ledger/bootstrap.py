"""Wires the ledger from its settings: the one place that chooses adapters."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from kinlink.ledger.v1 import ledger_pb2_grpc
from kinlink_contracts.facility import DepositPosted
from kinlink_contracts.topics import FACILITY_EVENTS
from kinlink_kit.bus import Bus
from kinlink_kit.consumer import TrackingConsumer
from kinlink_kit.eventstore import open_store
from kinlink_kit.outbox import OutboxRelay
from kinlink_kit.runtime import GrpcService, ServiceParts
from kinlink_kit.settings import ServiceSettings
from kinlink_kit.views import view_store
from pydantic import SecretStr

from kinlink_ledger.adapters.deposit_history_view import DepositHistoryProjection
from kinlink_ledger.adapters.facility_settings_file import DEMO_FACILITIES, FacilitySettingsFile
from kinlink_ledger.adapters.integration_events import LedgerEventTranslator
from kinlink_ledger.adapters.simulated_processor import SimulatedProcessor
from kinlink_ledger.adapters.stripe_processor import StripeProcessor
from kinlink_ledger.domain.payments import PaymentProcessor
from kinlink_ledger.entrypoints.grpc_api import SERVICE_NAME, LedgerServicer
from kinlink_ledger.service_layer.ledger import Ledger, LedgerStore
from kinlink_ledger.service_layer.post_deposit import post_deposit


class LedgerSettings(ServiceSettings):
    service_name: str = "ledger"
    database: str = "kinlink_ledger"
    payment_processor: Literal["simulated", "stripe"] = "simulated"
    stripe_api_key: SecretStr = SecretStr("sk_test_123")
    stripe_api_base: str | None = None
    facilities_file: Path = DEMO_FACILITIES
    # Only one process per database should relay; the others leave it to that one.
    outbox_relay: bool = True
    consumer_group: str = "kinlink-ledger"


def payment_processor(settings: LedgerSettings) -> PaymentProcessor:
    if settings.payment_processor == "stripe":
        return StripeProcessor(settings.stripe_api_key.get_secret_value(), settings.stripe_api_base)
    return SimulatedProcessor()


def build_ledger(settings: LedgerSettings, payments: PaymentProcessor | None = None) -> Ledger:
    store = open_store(LedgerStore, settings, settings.database)
    return Ledger(
        store=store,
        history=DepositHistoryProjection(store, view_store(settings, settings.database)),
        facilities=FacilitySettingsFile(settings.facilities_file),
        payments=payments or payment_processor(settings),
    )


def ledger_service(settings: LedgerSettings, bus: Bus, ledger: Ledger) -> ServiceParts:
    """The ledger's part of a process: its gRPC service, outbox relay and facility consumer."""
    TrackingConsumer(
        ledger.store,
        bus,
        FACILITY_EVENTS,
        settings.consumer_group,
        {
            DepositPosted.event_type: lambda envelope, tracking: post_deposit(
                ledger, envelope, tracking
            )
        },
    )
    background = [ledger.history.run]
    if settings.outbox_relay:
        relay = OutboxRelay(ledger.store, bus, LedgerEventTranslator(ledger.store))
        background.append(relay.run)
    return ServiceParts(
        name="ledger",
        grpc=[
            GrpcService(
                SERVICE_NAME,
                LedgerServicer(ledger),
                ledger_pb2_grpc.add_LedgerServiceServicer_to_server,
            )
        ],
        background=background,
        close=ledger.close,
    )

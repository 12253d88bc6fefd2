"""Wires the ledger from its settings: the one place that chooses adapters."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Literal

from kinlink.ledger.v1 import ledger_pb2_grpc
from kinlink_contracts.commissary import AllowanceConsumed
from kinlink_contracts.commissary import AllowanceEnded
from kinlink_contracts.facility import DepositPosted
from kinlink_contracts.facility import ResidentBooked
from kinlink_contracts.facility import ResidentReleased
from kinlink_contracts.facility import ResidentTransferred
from kinlink_contracts.identity import CardAdded
from kinlink_contracts.identity import CardRemoved
from kinlink_contracts.identity import FacilityConfigured
from kinlink_contracts.identity import MessagingSubscriptionCardChosen
from kinlink_contracts.topics import COMMISSARY_EVENTS
from kinlink_contracts.topics import FACILITY_EVENTS
from kinlink_contracts.topics import IDENTITY_EVENTS
from kinlink_contracts.topics import LEDGER_AUDIT
from kinlink_kit.bus import Bus
from kinlink_kit.consumer import ServiceEventHandler
from kinlink_kit.consumer import consume
from kinlink_kit.eventstore import open_store
from kinlink_kit.leadership import Leadership
from kinlink_kit.migration import create_tables
from kinlink_kit.outbox import combined
from kinlink_kit.outbox import each
from kinlink_kit.outbox import outbox_relay_jobs
from kinlink_kit.projection import projection_jobs
from kinlink_kit.runtime import GrpcService
from kinlink_kit.runtime import ServiceParts
from kinlink_kit.settings import ServiceSettings
from kinlink_kit.views import view_store
from pydantic import Field
from pydantic import SecretStr

from kinlink_ledger.adapters.audit_stream import AuditStream
from kinlink_ledger.adapters.facility_terms_directory import FacilityTermsDirectory
from kinlink_ledger.adapters.integration_events import LedgerEventTranslator
from kinlink_ledger.adapters.ledger_views import LedgerViews
from kinlink_ledger.adapters.simulated_processor import SimulatedProcessor
from kinlink_ledger.adapters.stripe_processor import StripeProcessor
from kinlink_ledger.domain.payments import PaymentProcessor
from kinlink_ledger.entrypoints.grpc_api import ACCESS_POLICY
from kinlink_ledger.entrypoints.grpc_api import SERVICE_NAME
from kinlink_ledger.entrypoints.grpc_api import LedgerServicer
from kinlink_ledger.entrypoints.sweeps import hold_sweep
from kinlink_ledger.entrypoints.sweeps import payment_sweep
from kinlink_ledger.service_layer.account_cards import card_added
from kinlink_ledger.service_layer.account_cards import card_removed
from kinlink_ledger.service_layer.choose_subscription_card import choose_subscription_card
from kinlink_ledger.service_layer.configure_facility import configure_facility
from kinlink_ledger.service_layer.consume_allowance import consume_allowance
from kinlink_ledger.service_layer.end_allowance import allowance_ended
from kinlink_ledger.service_layer.ledger import Ledger
from kinlink_ledger.service_layer.ledger import LedgerStore
from kinlink_ledger.service_layer.post_deposit import post_deposit
from kinlink_ledger.service_layer.residents import resident_booked
from kinlink_ledger.service_layer.residents import resident_released
from kinlink_ledger.service_layer.residents import resident_transferred


class LedgerSettings(ServiceSettings):
    service_name: str = "ledger"
    database: str = "kinlink_ledger"
    payment_processor: Literal["simulated", "stripe"] = "simulated"
    stripe_api_key: SecretStr = SecretStr("sk_test_123")
    stripe_api_base: str | None = None
    consumer_group: str = "kinlink-ledger"
    allowance_hold_days: int = Field(
        default=6,
        ge=1,
        le=6,
        description="Allowances whose card hold is this many days old are ended, what was used "
        "captured and the rest released: Stripe cancels a hold left uncaptured for 7 days.",
    )
    payment_sweep_after_seconds: float = Field(
        default=900.0,
        gt=0,
        description="Payments (deposits, wallet fundings, allowance captures, commissary orders' "
        "attempts) without an outcome this long after they started are finished by the payment "
        "sweep, through the payment the processor was asked for.",
    )
    payment_sweep_every_seconds: float = Field(
        default=60.0, gt=0, description="How often the payment sweep looks."
    )
    simulated_processor_state_file: Path | None = Field(
        default=None,
        description="Where the simulated processor keeps its payments, so that a restarted "
        "process finds them as it would Stripe's (one process at a time); none: in memory.",
    )
    simulated_processor_answer_delay_seconds: float = Field(
        default=0.0,
        ge=0,
        description="The simulated processor charges, then takes this long to answer (a slow "
        "network; for fault tests).",
    )
    audit_topic: str = Field(
        default=LEDGER_AUDIT,
        description="Where every ledger event goes, hash-chained, for auditors.",
    )


def payment_processor(settings: LedgerSettings) -> PaymentProcessor:
    if settings.payment_processor == "stripe":
        return StripeProcessor(settings.stripe_api_key.get_secret_value(), settings.stripe_api_base)
    return SimulatedProcessor(
        state_file=settings.simulated_processor_state_file,
        answer_delay_seconds=settings.simulated_processor_answer_delay_seconds,
    )


def create_ledger_tables(settings: LedgerSettings) -> None:
    """Every table of the ledger's database: its `migrate` command (decision 0085)."""
    create_tables(settings, settings.database, LedgerStore, LedgerViews.open)


def build_ledger(settings: LedgerSettings, payments: PaymentProcessor | None = None) -> Ledger:
    store = open_store(LedgerStore, settings, settings.database)
    return Ledger(
        store=store,
        views=LedgerViews.open(store, view_store(settings, settings.database)),
        facilities=FacilityTermsDirectory(store),
        payments=payments or payment_processor(settings),
    )


def ledger_service(settings: LedgerSettings, bus: Bus, ledger: Ledger) -> ServiceParts:
    """The ledger's part of a process: its gRPC service, outbox relay, hold and payment sweeps,
    and consumers of the facilities' events, of identity's (each facility's deposit settings, the
    residents it books, transfers and releases, each account's cards and the one that funds its
    messaging subscription) and of the commissary's (allowances' orders)."""
    consumed: dict[str, dict[str, ServiceEventHandler[Ledger]]] = {
        FACILITY_EVENTS: {DepositPosted.event_type: post_deposit},
        IDENTITY_EVENTS: {
            FacilityConfigured.event_type: configure_facility,
            MessagingSubscriptionCardChosen.event_type: choose_subscription_card,
            # Identity republishes the facilities' bookings: the ledger hears them from identity.
            ResidentBooked.event_type: resident_booked,
            ResidentTransferred.event_type: resident_transferred,
            ResidentReleased.event_type: resident_released,
            CardAdded.event_type: card_added,
            CardRemoved.event_type: card_removed,
        },
        COMMISSARY_EVENTS: {
            AllowanceConsumed.event_type: consume_allowance,
            AllowanceEnded.event_type: allowance_ended,
        },
    }
    consume(ledger, bus, settings.consumer_group, consumed)
    background = [
        *projection_jobs(settings, settings.database, ledger.views.follower()),
        hold_sweep(
            ledger,
            settings.allowance_hold_days,
            Leadership(settings.database_url(settings.database), "ledger hold sweep"),
        ).run,
        payment_sweep(
            ledger,
            Leadership(settings.database_url(settings.database), "ledger payment sweep"),
            settled_after=timedelta(seconds=settings.payment_sweep_after_seconds),
            every_seconds=settings.payment_sweep_every_seconds,
        ).run,
        *outbox_relay_jobs(
            settings,
            settings.database,
            ledger.store,
            bus,
            combined(
                each(LedgerEventTranslator(ledger.store)),
                AuditStream(ledger.store, settings.audit_topic),
            ),
        ),
    ]
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
        access_policy=ACCESS_POLICY,
    )

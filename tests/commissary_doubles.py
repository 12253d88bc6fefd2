"""What the commissary's tests share: a ledger's allowance holds in memory (with the ledger's
promises: one hold per allowance id, declined cards by Stripe's test payment methods), and the
news the commissary records from other services (a facility configured, residents booked and
released, purchases reported, the ledger's end of a hold), handed to its consumers' handlers with
the tracking record of each event."""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from datetime import datetime
from uuid import UUID

from kinlink_commissary.domain.ports import AllowanceRequest
from kinlink_commissary.domain.ports import Hold
from kinlink_commissary.domain.ports import LedgerUnavailable
from kinlink_commissary.entrypoints.facility_events import FACILITY_HANDLERS
from kinlink_commissary.entrypoints.identity_events import IDENTITY_HANDLERS
from kinlink_commissary.entrypoints.ledger_events import LEDGER_HANDLERS
from kinlink_commissary.service_layer.commissary import Commissary
from kinlink_contracts.envelope import Envelope
from kinlink_contracts.envelope import IntegrationEvent
from kinlink_contracts.facility import CommissaryPurchased
from kinlink_contracts.facility import ResidentBooked
from kinlink_contracts.facility import ResidentReleased
from kinlink_contracts.facility_settings import FacilitySettings
from kinlink_contracts.facility_settings import FeeTier
from kinlink_contracts.identity import FacilityConfigured
from kinlink_contracts.ledger import AllowanceEnded
from kinlink_kit.consumer import event_tracking

FACILITY = "FAC-COM"
RESIDENT = "R-1"
OTHER_RESIDENT = "R-2"
DECLINED_CARD = "pm_card_chargeDeclined"  # Stripe's test payment method for a generic decline


def facility_settings(**changes: object) -> FacilitySettings:
    settings = FacilitySettings(
        name="Commissary County Jail",
        time_zone="America/Chicago",
        deposit_fee_tiers=(FeeTier(up_to_cents=30000, fee_cents=295),),
        allowance_period_days=3,
    )
    return settings.model_copy(update=changes)


@dataclass
class MemoryHolds:
    """The ledger's AuthorizeAllowance: a repeat under one allowance id holds once."""

    held: dict[UUID, AllowanceRequest] = field(default_factory=dict)
    asked: list[tuple[UUID, AllowanceRequest]] = field(default_factory=list)
    unreachable: bool = False

    def authorize(self, allowance_id: UUID, request: AllowanceRequest) -> Hold:
        if self.unreachable:
            raise LedgerUnavailable()
        self.asked.append((allowance_id, request))
        if request.payment_method == DECLINED_CARD:
            return Hold(held=False, decline_reason="card_declined")
        self.held.setdefault(allowance_id, request)
        return Hold(held=True)


def envelope(event: IntegrationEvent, key: str, producer: str) -> Envelope:
    return Envelope.wrap(event, key=key, producer=producer, correlation_id="test")


def deliver(commissary: Commissary, message: Envelope) -> None:
    """An event as the consumer of its topic hands it to the commissary's handler."""
    handlers = {**IDENTITY_HANDLERS, **FACILITY_HANDLERS, **LEDGER_HANDLERS}
    handlers[message.type](commissary, message, event_tracking(message.event_id))


def configure(
    commissary: Commissary, facility_id: str = FACILITY, revision: int = 1, **changes: object
) -> None:
    configured = FacilityConfigured(
        facility_id=facility_id, revision=revision, settings=facility_settings(**changes)
    )
    deliver(commissary, envelope(configured, facility_id, "identity"))


def book(commissary: Commissary, resident_id: str, facility_id: str = FACILITY) -> None:
    booked = ResidentBooked(
        facility_id=facility_id, resident_id=resident_id, first_name="Ada", last_name="King"
    )
    deliver(commissary, envelope(booked, resident_id, "identity"))


def release(commissary: Commissary, resident_id: str, facility_id: str = FACILITY) -> None:
    released = ResidentReleased(facility_id=facility_id, resident_id=resident_id)
    deliver(commissary, envelope(released, resident_id, "identity"))


def purchase(
    order_reference: str,
    amount_cents: int,
    at: datetime,
    resident_id: str = RESIDENT,
    facility_id: str = FACILITY,
) -> Envelope:
    """A purchase as the facility's system reports it."""
    purchased = CommissaryPurchased(
        facility_id=facility_id,
        resident_id=resident_id,
        order_reference=order_reference,
        amount_cents=amount_cents,
        purchased_at=at,
    )
    return envelope(purchased, resident_id, "facility")


def hold_ended(
    allowance_id: UUID,
    account_id: UUID,
    amount_cents: int,
    captured_cents: int,
    receipt_number: str | None,
    resident_id: str = RESIDENT,
    facility_id: str = FACILITY,
) -> Envelope:
    """The ledger's AllowanceEnded."""
    ended = AllowanceEnded(
        allowance_id=allowance_id,
        account_id=account_id,
        facility_id=facility_id,
        resident_id=resident_id,
        amount_cents=amount_cents,
        captured_cents=captured_cents,
        released_cents=amount_cents - captured_cents,
        receipt_number=receipt_number,
    )
    return envelope(ended, resident_id, "ledger")

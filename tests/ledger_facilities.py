"""What identity tells a ledger, applied by the ledger's own handlers: facilities configured
(FacilityConfigured) and the cards chosen to fund messaging subscriptions."""

from __future__ import annotations

from collections.abc import Callable
from uuid import UUID, uuid5

from kinlink_contracts.demo import DEMO_FACILITIES, facility_configured
from kinlink_contracts.envelope import Envelope
from kinlink_contracts.identity import MessagingSubscriptionCardChosen
from kinlink_contracts.topics import IDENTITY_EVENTS
from kinlink_kit.eventstore import Tracking
from kinlink_ledger.service_layer.choose_subscription_card import choose_subscription_card
from kinlink_ledger.service_layer.configure_facility import configure_facility
from kinlink_ledger.service_layer.ledger import Ledger

# Where the events would have come from: one partition of identity's topic.
TRACKING_NAME = f"tests:{IDENTITY_EVENTS}:0"


def configure(ledger: Ledger, envelope: Envelope) -> None:
    """Apply `envelope` as the next message of the topic."""
    _apply(ledger, configure_facility, envelope)


def choose_card(ledger: Ledger, account_id: UUID, payment_method: str) -> None:
    """Identity says this card (a processor token) funds the account's subscription."""
    chosen = MessagingSubscriptionCardChosen(
        account_id=account_id,
        card_id=uuid5(account_id, payment_method),
        payment_method=payment_method,
    )
    envelope = Envelope.wrap(chosen, key=str(account_id), producer="identity", correlation_id="")
    _apply(ledger, choose_subscription_card, envelope)


def _apply(
    ledger: Ledger, handler: Callable[[Ledger, Envelope, Tracking], None], envelope: Envelope
) -> None:
    offset = (ledger.store.tracking.max_tracking_id(TRACKING_NAME) or 0) + 1
    handler(ledger, envelope, Tracking(TRACKING_NAME, offset))


def configure_demo_facilities(ledger: Ledger) -> None:
    for facility_id, settings in DEMO_FACILITIES.items():
        configure(ledger, facility_configured(facility_id, settings))

"""What identity tells a ledger, applied by the ledger's own handlers: facilities configured
(FacilityConfigured) and the cards chosen to fund messaging subscriptions."""

from __future__ import annotations

from collections.abc import Callable
from uuid import UUID, uuid5

from kinlink_contracts.demo import DEMO_FACILITIES, facility_configured
from kinlink_contracts.envelope import Envelope
from kinlink_contracts.identity import MessagingSubscriptionCardChosen
from kinlink_kit.consumer import event_tracking
from kinlink_kit.eventstore import Tracking
from kinlink_ledger.service_layer.choose_subscription_card import choose_subscription_card
from kinlink_ledger.service_layer.configure_facility import configure_facility
from kinlink_ledger.service_layer.ledger import Ledger


def configure(ledger: Ledger, envelope: Envelope) -> None:
    """Apply `envelope` as the tracking consumer would."""
    deliver(ledger, configure_facility, envelope)


def choose_card(
    ledger: Ledger, account_id: UUID, payment_method: str, choice: int | None = None
) -> None:
    """Identity says this card (a processor token) funds the account's subscription, by its
    `choice`-th choice."""
    chosen = MessagingSubscriptionCardChosen(
        account_id=account_id,
        card_id=uuid5(account_id, payment_method),
        payment_method=payment_method,
        choice=choice,
    )
    envelope = Envelope.wrap(chosen, key=str(account_id), producer="identity", correlation_id="")
    deliver(ledger, choose_subscription_card, envelope)


Handler = Callable[[Ledger, Envelope, Tracking], None]


def deliver(
    ledger: Ledger,
    handler: Handler,
    envelope: Envelope,
) -> None:
    """Hand `envelope` to the ledger's handler as the tracking consumer would."""
    handler(ledger, envelope, event_tracking(envelope.event_id))


def configure_demo_facilities(ledger: Ledger) -> None:
    for facility_id, settings in DEMO_FACILITIES.items():
        configure(ledger, facility_configured(facility_id, settings))

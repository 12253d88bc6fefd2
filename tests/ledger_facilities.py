"""What identity tells a ledger, applied by the ledger's own handlers: facilities configured
(FacilityConfigured), residents booked, transferred and released, the cards accounts added and
the ones chosen to fund messaging subscriptions."""

from __future__ import annotations

from collections.abc import Callable
from uuid import UUID
from uuid import uuid5

from kinlink_contracts.demo import DEMO_FACILITIES
from kinlink_contracts.demo import DEMO_RESIDENTS
from kinlink_contracts.demo import FAC_DEMO
from kinlink_contracts.demo import card_added
from kinlink_contracts.demo import facility_configured
from kinlink_contracts.demo import resident_booked
from kinlink_contracts.envelope import Envelope
from kinlink_contracts.envelope import IntegrationEvent
from kinlink_contracts.facility import ResidentReleased
from kinlink_contracts.facility import ResidentTransferred
from kinlink_contracts.identity import MessagingSubscriptionCardChosen
from kinlink_kit.consumer import event_tracking
from kinlink_kit.eventstore import Tracking
from kinlink_kit.testing import TEST_CARDS
from kinlink_ledger.service_layer import account_cards
from kinlink_ledger.service_layer import residents
from kinlink_ledger.service_layer.choose_subscription_card import choose_subscription_card
from kinlink_ledger.service_layer.configure_facility import configure_facility
from kinlink_ledger.service_layer.ledger import Ledger

TESTS = UUID("0b9d3c55-8f0e-4f57-a2c4-5d1e6f7a8b90")


def depositor(name: str) -> str:
    """A test depositor's account id (as in their token): identity's account ids are uuids."""
    return str(uuid5(TESTS, f"depositor/{name}"))


# The depositors tests deposit as, each with every test card.
D1, D2, D9, MOTHER, BROTHER = DEPOSITORS = tuple(
    depositor(name) for name in ("D-1", "D-2", "D-9", "mother", "brother")
)
# Residents tests deposit to at FAC-DEMO, besides the demo residents.
TEST_RESIDENTS = tuple(f"R-{n}" for n in range(1, 10))


def configure(ledger: Ledger, envelope: Envelope) -> None:
    """Apply `envelope` as the tracking consumer would."""
    deliver(ledger, configure_facility, envelope)


def choose_card(
    ledger: Ledger, account_id: UUID, payment_method: str, choice: int | None = None
) -> None:
    """Identity says this card (a processor token) funds the account's subscription, by its
    `choice`-th choice. The account added the card first, as identity requires."""
    add_cards(ledger, str(account_id), payment_method)
    chosen = MessagingSubscriptionCardChosen(
        account_id=account_id,
        card_id=uuid5(account_id, payment_method),
        payment_method=payment_method,
        choice=choice,
    )
    deliver(ledger, choose_subscription_card, from_identity(chosen, str(account_id)))


def from_identity(event: IntegrationEvent, key: str) -> Envelope:
    return Envelope.wrap(event, key=key, producer="identity", correlation_id="")


def add_cards(ledger: Ledger, account_id: str, *payment_methods: str) -> None:
    for payment_method in payment_methods or TEST_CARDS:
        deliver(ledger, account_cards.card_added, card_added(account_id, payment_method))


def book(ledger: Ledger, facility_id: str, *resident_ids: str) -> None:
    for resident_id in resident_ids:
        deliver(ledger, residents.resident_booked, resident_booked(facility_id, resident_id))


def transfer(
    ledger: Ledger, facility_id: str, resident_id: str, to_facility_id: str, to_resident_id: str
) -> None:
    """Identity moves the resident, and books them at the destination."""
    moved = ResidentTransferred(
        facility_id=facility_id,
        resident_id=resident_id,
        to_facility_id=to_facility_id,
        to_resident_id=to_resident_id,
    )
    deliver(ledger, residents.resident_transferred, from_identity(moved, resident_id))
    book(ledger, to_facility_id, to_resident_id)


def release(ledger: Ledger, facility_id: str, resident_id: str) -> None:
    released = ResidentReleased(facility_id=facility_id, resident_id=resident_id)
    deliver(ledger, residents.resident_released, from_identity(released, resident_id))


Handler = Callable[[Ledger, Envelope, Tracking], None]


def deliver(
    ledger: Ledger,
    handler: Handler,
    envelope: Envelope,
) -> None:
    """Hand `envelope` to the ledger's handler as the tracking consumer would."""
    handler(ledger, envelope, event_tracking(envelope.event_id))


def configure_demo_facilities(ledger: Ledger) -> None:
    """The demo facilities and residents, the test residents and the test depositors' cards."""
    for facility_id, settings in DEMO_FACILITIES.items():
        configure(ledger, facility_configured(facility_id, settings))
    for resident in DEMO_RESIDENTS:
        book(ledger, resident.facility_id, resident.resident_id)
    book(ledger, FAC_DEMO, *TEST_RESIDENTS)
    for account in DEPOSITORS:
        add_cards(ledger, account)

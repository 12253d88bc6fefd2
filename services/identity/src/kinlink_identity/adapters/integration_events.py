"""Maps identity's stored domain events to the integration events other services read.

Each event is published with the state of its aggregate as of that event (read back from the
store at that version), so that a later change never leaks into an earlier event. What stays
inside: password hashes, tokens, email claims, identity documents and card processor details
other than those in the contract.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import uuid5

from eventsourcing.persistence import Notification
from eventsourcing.utils import get_topic
from kinlink_contracts import identity as contract
from kinlink_contracts.envelope import Envelope, IntegrationEvent
from kinlink_contracts.facility import ResidentBooked, ResidentReleased, ResidentTransferred
from kinlink_contracts.topics import IDENTITY_EVENTS
from kinlink_kit.bus import OutgoingMessage

from kinlink_identity.domain.account import Account
from kinlink_identity.domain.card import Card
from kinlink_identity.domain.facility import Facility
from kinlink_identity.domain.resident import Resident
from kinlink_identity.service_layer.identity import IdentityStore

PRODUCER = "identity"

# (event, aggregate as of that event) -> (partition key, integration event)
Translation = Callable[[Any, Any], tuple[str, IntegrationEvent]]


def _account(
    event_class: type[contract._AccountEvent], **fields: Callable[[Any], Any]
) -> Translation:
    def translate(event: Any, account: Account) -> tuple[str, IntegrationEvent]:
        values = {name: read(account) for name, read in fields.items()}
        return str(account.id), event_class(account_id=account.id, **values)

    return translate


def _subscription_card(store: IdentityStore) -> Translation:
    def translate(event: Any, account: Account) -> tuple[str, IntegrationEvent]:
        card = store.require(event.card_id, Card, code="card_not_found", field="card_id")
        return str(account.id), contract.MessagingSubscriptionCardChosen(
            account_id=account.id,
            card_id=card.id,
            payment_method=card.payment_method,
            choice=account.messaging_subscription_card_choices,
        )

    return translate


def _card_added(event: Any, card: Card) -> tuple[str, IntegrationEvent]:
    return str(card.account_id), contract.CardAdded(
        account_id=card.account_id,
        card_id=card.id,
        brand=card.brand,
        last4=card.last4,
        exp_month=card.exp_month,
        exp_year=card.exp_year,
        payment_method=card.payment_method,
    )


def _card_removed(event: Any, card: Card) -> tuple[str, IntegrationEvent]:
    return str(card.account_id), contract.CardRemoved(account_id=card.account_id, card_id=card.id)


def _facility_configured(event: Any, facility: Facility) -> tuple[str, IntegrationEvent]:
    return facility.facility_id, contract.FacilityConfigured(
        facility_id=facility.facility_id, revision=facility.version, settings=facility.settings
    )


def _resident_booked(event: Any, resident: Resident) -> tuple[str, IntegrationEvent]:
    return resident.resident_id, ResidentBooked(
        facility_id=resident.facility_id,
        resident_id=resident.resident_id,
        first_name=resident.first_name,
        last_name=resident.last_name,
    )


def _resident_transferred(event: Any, resident: Resident) -> tuple[str, IntegrationEvent]:
    return resident.resident_id, ResidentTransferred(
        facility_id=resident.facility_id,
        resident_id=resident.resident_id,
        to_facility_id=event.to_facility_id,
        to_resident_id=event.to_resident_id,
    )


def _resident_released(event: Any, resident: Resident) -> tuple[str, IntegrationEvent]:
    return resident.resident_id, ResidentReleased(
        facility_id=resident.facility_id, resident_id=resident.resident_id
    )


class IdentityEventTranslator:
    def __init__(self, store: IdentityStore) -> None:
        self.store = store
        names = {
            "first_name": lambda a: a.first_name,
            "last_name": lambda a: a.last_name,
            "time_zone": lambda a: a.time_zone,
        }
        translations: dict[type, Translation] = {
            Account.Registered: _account(
                contract.AccountRegistered, email=lambda a: a.email, **names
            ),
            Account.Activated: _account(contract.AccountActivated),
            Account.DetailsEdited: _account(
                contract.AccountDetailsChanged, phone=lambda a: a.phone, **names
            ),
            Account.EmailChanged: _account(contract.AccountEmailChanged, email=lambda a: a.email),
            Account.EmailSubscriptionChanged: _account(
                contract.EmailSubscriptionChanged, subscribed=lambda a: a.email_subscribed
            ),
            Account.Closed: _account(contract.AccountClosed),
            Account.Reactivated: _account(contract.AccountReactivated),
            Account.IdVerified: _account(
                contract.AccountIdVerified,
                provider_reference=lambda a: a.id_verification_reference,
            ),
            Account.MessagingSubscriptionCardChosen: _subscription_card(store),
            Card.Added: _card_added,
            Card.Readded: _card_added,
            Card.Removed: _card_removed,
            Facility.Configured: _facility_configured,
            Facility.Reconfigured: _facility_configured,
            Resident.Booked: _resident_booked,
            Resident.Rebooked: _resident_booked,
            Resident.Transferred: _resident_transferred,
            Resident.Released: _resident_released,
        }
        self._translations = {get_topic(cls): t for cls, t in translations.items()}

    def __call__(self, notification: Notification) -> OutgoingMessage | None:
        translation = self._translations.get(notification.topic)
        if translation is None:
            return None
        domain_event: Any = self.store.mapper.to_domain_event(notification)
        aggregate: Any = self.store.repository.get(
            domain_event.originator_id, version=domain_event.originator_version
        )
        key, event = translation(domain_event, aggregate)
        envelope = Envelope.wrap(
            event,
            key=key,
            producer=PRODUCER,
            correlation_id=str(domain_event.originator_id),
            # Derived, so that an event the relay publishes twice keeps one id.
            event_id=uuid5(domain_event.originator_id, str(domain_event.originator_version)),
            occurred_at=domain_event.timestamp,
        )
        return OutgoingMessage(IDENTITY_EVENTS, key, envelope.to_bytes())

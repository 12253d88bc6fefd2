"""Maps identity's stored domain events to the integration events other services read.

Each event is published with the state of its aggregate as of that event (read back from the
store at that version), so that a later change never leaks into an earlier event. What stays
inside: password hashes, tokens, email claims, identity documents and card processor details
other than those in the contract.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kinlink_contracts import identity as contract
from kinlink_contracts.envelope import IntegrationEvent
from kinlink_contracts.facility import ResidentBooked
from kinlink_contracts.facility import ResidentReleased
from kinlink_contracts.facility import ResidentTransferred
from kinlink_contracts.topics import IDENTITY_EVENTS
from kinlink_kit.translation import EventTranslator
from kinlink_kit.translation import Published
from kinlink_kit.translation import Translation

from kinlink_identity.domain.account import Account
from kinlink_identity.domain.card import Card
from kinlink_identity.domain.facility import Facility
from kinlink_identity.domain.resident import Resident
from kinlink_identity.service_layer.identity import IdentityStore

PRODUCER = "identity"

# (event, aggregate as of that event) -> (partition key, integration event)
AggregateTranslation = Callable[[Any, Any], tuple[str, IntegrationEvent]]


def _account(
    event_class: type[contract._AccountEvent], **fields: Callable[[Any], Any]
) -> AggregateTranslation:
    def translate(event: Any, account: Account) -> tuple[str, IntegrationEvent]:
        values = {name: read(account) for name, read in fields.items()}
        return str(account.id), event_class(account_id=account.id, **values)

    return translate


def _subscription_card(store: IdentityStore) -> AggregateTranslation:
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


def _as_of(store: IdentityStore, translate: AggregateTranslation) -> Translation:
    """The translation given the event's aggregate as it was right after the event."""

    def published(event: Any) -> Published:
        aggregate: Any = store.repository.get(event.originator_id, version=event.originator_version)
        return Published(*translate(event, aggregate))

    return published


class IdentityEventTranslator(EventTranslator):
    def __init__(self, store: IdentityStore) -> None:
        names = {
            "first_name": lambda a: a.first_name,
            "last_name": lambda a: a.last_name,
            "time_zone": lambda a: a.time_zone,
        }
        translations: dict[type, AggregateTranslation] = {
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
        super().__init__(
            store,
            PRODUCER,
            IDENTITY_EVENTS,
            {cls: _as_of(store, t) for cls, t in translations.items()},
        )

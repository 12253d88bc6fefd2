"""The gateway's domain events as integration events on kinlink.sms.events.v1, keyed by
resident id. No event carries a phone number.

Each is translated with its aggregate as it was right after the event (read back at that
version: turning SMS on or off is rare), so a later change never leaks into an earlier event.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kinlink_contracts import sms as contract
from kinlink_contracts.topics import SMS_EVENTS
from kinlink_kit.translation import EventTranslator
from kinlink_kit.translation import Published
from kinlink_kit.translation import Translation

from kinlink_sms.adapters.inbound_events import reply_received
from kinlink_sms.adapters.inbound_events import reply_refused
from kinlink_sms.adapters.outbound_events import OUTBOUND_TRANSLATIONS
from kinlink_sms.domain.inbound_sms import InboundSms
from kinlink_sms.domain.subscription import SmsSubscription
from kinlink_sms.service_layer.gateway import SmsStore

PRODUCER = "sms-gateway"

# (domain event, its aggregate as of it) -> the integration event
AggregateTranslation = Callable[[Any, Any], contract.IntegrationEvent]


def _about(subscription: SmsSubscription) -> dict[str, Any]:
    return {
        "account_id": subscription.account_id,
        "facility_id": subscription.facility_id,
        "resident_id": subscription.resident_id,
    }


def _turned_on(event: Any, subscription: SmsSubscription) -> contract.IntegrationEvent:
    """Verified, or on again after START: on the consent given when verified."""
    assert subscription.consent is not None
    return contract.SmsTurnedOn(
        **_about(subscription),
        consent_version=subscription.consent.version,
        consented_at=subscription.consent.given_at,
    )


def _turned_off(event: Any, subscription: SmsSubscription) -> contract.IntegrationEvent:
    return contract.SmsTurnedOff(**_about(subscription), reason=contract.SmsOffReason(event.reason))


def as_of(store: SmsStore, translate: AggregateTranslation) -> Translation:
    """The translation given the event's aggregate as it was right after the event, keyed by
    its resident."""

    def published(event: Any) -> Published:
        aggregate: Any = store.repository.get(event.originator_id, version=event.originator_version)
        return Published(aggregate.resident_id, translate(event, aggregate))

    return published


class SmsEventTranslator(EventTranslator):
    def __init__(self, store: SmsStore) -> None:
        translations: dict[type, AggregateTranslation] = {
            SmsSubscription.Verified: _turned_on,
            SmsSubscription.TurnedOn: _turned_on,
            SmsSubscription.TurnedOff: _turned_off,
            InboundSms.PassedOn: reply_received,
            InboundSms.Refused: reply_refused,
            **OUTBOUND_TRANSLATIONS,
        }
        super().__init__(
            store,
            PRODUCER,
            SMS_EVENTS,
            {kind: as_of(store, translate) for kind, translate in translations.items()},
        )

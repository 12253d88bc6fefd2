"""What identity follows of the ledger on kinlink.ledger.events.v1: the messaging subscription
being disabled, which releases the card that funded it (service_layer/release_subscription_card).

Each is saved with its tracking record, so a redelivered message changes nothing. An account
identity does not know is raised as LedgerEventRejected: dead-lettered at once.
"""

from __future__ import annotations

from collections.abc import Callable

from kinlink_contracts.envelope import Envelope
from kinlink_contracts.ledger import MessagingSubscriptionDisabled
from kinlink_kit.consumer import EventRejected
from kinlink_kit.consumer import rejecting
from kinlink_kit.eventstore import Tracking

from kinlink_identity.service_layer.identity import Identity
from kinlink_identity.service_layer.release_subscription_card import ReleaseSubscriptionCard
from kinlink_identity.service_layer.release_subscription_card import releasing_subscription_card


class LedgerEventRejected(EventRejected):
    """A ledger's event that contradicts what identity knows."""


def on_messaging_subscription_disabled(
    identity: Identity, envelope: Envelope, tracking: Tracking
) -> None:
    disabled = MessagingSubscriptionDisabled.model_validate(envelope.payload)
    command = ReleaseSubscriptionCard(disabled.account_id, disabled.card_id, disabled.card_choice)
    with rejecting(envelope, LedgerEventRejected):
        changed = releasing_subscription_card(identity, command)
    identity.store.save_tracked(tracking, *changed)


LEDGER_EVENT_HANDLERS: dict[str, Callable[[Identity, Envelope, Tracking], None]] = {
    MessagingSubscriptionDisabled.event_type: on_messaging_subscription_disabled,
}

"""Maps a message's stored domain events to the integration events of
`kinlink_contracts.messaging`, keyed by resident id (a resident's messages in order).

Each is published with the message as of that event (read back at its version), so a later
change never leaks into an earlier event. What stays inside: the body, the images' bytes, the
internal statuses (a message started awaiting its payment, abandoned) and collect payments
(the ledger publishes the wallet's charges).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kinlink_contracts import messaging as contract
from kinlink_contracts.topics import MESSAGING_EVENTS
from kinlink_kit.translation import EventTranslator
from kinlink_kit.translation import Published
from kinlink_kit.translation import Translation

from kinlink_messaging.domain.message import Message
from kinlink_messaging.service_layer.messaging import MessagingStore

PRODUCER = "messaging"

# (domain event, the message as of it) -> the integration event
MessageTranslation = Callable[[Any, Message], contract.IntegrationEvent]


def _about(message: Message) -> dict[str, Any]:
    """What every event of the message says of it."""
    return {
        "message_id": message.id,
        "facility_id": message.facility_id,
        "resident_id": message.resident_id,
        "account_id": message.account_id,
        "direction": contract.MessageDirection(message.direction.value),
    }


def _submitted(event: Any, message: Message) -> contract.IntegrationEvent:
    payment = message.payment
    return contract.MessageSubmitted(
        **_about(message),
        collect=message.collect,
        images=[
            contract.MessageImage(
                key=image.key,
                thumbnail_key=image.thumbnail_key,
                sha256=image.sha256,
                content_type=image.content_type,
                width=image.width,
                height=image.height,
                size_bytes=image.size,
            )
            for image in message.images
        ],
        amount_cents=payment.amount_cents if payment is not None else 0,
        payment_reference=payment.reference if payment is not None else None,
    )


def _approved(event: Any, message: Message) -> contract.IntegrationEvent:
    return contract.MessageApproved(**_about(message), officer_id=event.officer)


def _rejected(event: Any, message: Message) -> contract.IntegrationEvent:
    return contract.MessageRejected(
        **_about(message), officer_id=event.officer, reason=event.reason
    )


def _delivered(event: Any, message: Message) -> contract.IntegrationEvent:
    return contract.MessageDelivered(**_about(message), collect=message.collect)


def _read(event: Any, message: Message) -> contract.IntegrationEvent:
    return contract.MessageRead(**_about(message), expires_at=Message.expiry_of(event.read_at))


def _expired(event: Any, message: Message) -> contract.IntegrationEvent:
    return contract.MessageExpired(**_about(message))


class MessagingEventTranslator(EventTranslator):
    def __init__(self, store: MessagingStore) -> None:
        translations: dict[type, MessageTranslation] = {
            Message.Submitted: _submitted,
            Message.Approved: _approved,
            Message.Rejected: _rejected,
            Message.Delivered: _delivered,
            Message.Read: _read,
            Message.Expired: _expired,
        }
        super().__init__(
            store,
            PRODUCER,
            MESSAGING_EVENTS,
            {kind: self._as_of(translate) for kind, translate in translations.items()},
        )

    def _as_of(self, translate: MessageTranslation) -> Translation:
        def published(event: Any) -> Published:
            message: Message = self.store.repository.get(
                event.originator_id, version=event.originator_version
            )
            return Published(message.resident_id, translate(event, message))

        return published

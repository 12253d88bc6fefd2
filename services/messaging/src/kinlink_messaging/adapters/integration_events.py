"""Maps a message's stored domain events to the integration events of
`kinlink_contracts.messaging`, keyed by resident id (a resident's messages in order).

Each is published with the message as of that event, so a later change never leaks into an
earlier event; the translator folds each message's events as the log brings them rather than
reading the message back for each (a relay keeps up with hundreds of messages a second). What
stays inside: the body, the images' bytes, the internal statuses (a message started awaiting its
payment, abandoned) and collect payments (the ledger publishes the wallet's charges).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate
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


# Every event a message records: the translator follows them all to know each message's state.
MESSAGE_EVENTS = tuple(
    kind
    for kind in vars(Message).values()
    if isinstance(kind, type)
    and issubclass(kind, Aggregate.Event)
    and kind not in (Message.Event, Message.Created)  # the bases, never stored as they are
)


class MessagingEventTranslator(EventTranslator):
    def __init__(self, store: MessagingStore, remembered: int = 10_000) -> None:
        published: dict[type, MessageTranslation] = {
            Message.Submitted: _submitted,
            Message.Approved: _approved,
            Message.Rejected: _rejected,
            Message.Delivered: _delivered,
            Message.Read: _read,
            Message.Expired: _expired,
        }
        # The newest state of the messages translated last, at most `remembered` of them.
        self._messages: dict[UUID, Message] = {}
        self._remembered = remembered
        super().__init__(
            store,
            PRODUCER,
            MESSAGING_EVENTS,
            {kind: self._as_of(published.get(kind)) for kind in MESSAGE_EVENTS},
        )

    def _as_of(self, translate: MessageTranslation | None) -> Translation:
        def published(event: Any) -> Published | None:
            message = self._message_after(event)
            if translate is None:
                return None  # remembered, not published (awaiting payment, abandoned, paid)
            return Published(message.resident_id, translate(event, message))

        return published

    def _message_after(self, event: Any) -> Message:
        """The message right after `event`. The log is in order: the state after the message's
        previous event, translated just before, takes this one; else it is read back from the
        store at the event's version (the relay started in the middle of a message's life)."""
        previous = self._messages.pop(event.originator_id, None)
        message: Message
        if previous is not None and previous.version == event.originator_version - 1:
            message = event.mutate(previous)
        elif event.originator_version == 1:
            message = event.mutate(None)
        else:
            message = self.store.repository.get(
                event.originator_id, version=event.originator_version
            )
        self._messages[event.originator_id] = message
        if len(self._messages) > self._remembered:
            del self._messages[next(iter(self._messages))]  # the least recently translated
        return message

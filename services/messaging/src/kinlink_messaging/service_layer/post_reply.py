"""PostReply: a facility's system posts a resident's reply to a family account the resident
has corresponded with, optionally collect (the family member pays when opening it). A family
member who blocked the resident does not receive it. Reviewed as messages to residents are.

The same reply comes over gRPC (the caller's facilities checked) or as ResidentMessagePosted
on the facility's own topic (saved with the event's tracking record; a refusal is
dead-lettered): both through `accept_reply`, so the rules are the same."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any
from uuid import UUID

from kinlink_contracts.envelope import Envelope
from kinlink_contracts.facility import ResidentMessagePosted
from kinlink_contracts.facility_settings import ReviewPolicy
from kinlink_kit.auth import Principal
from kinlink_kit.consumer import rejecting
from kinlink_kit.errors import FailedPrecondition
from kinlink_kit.eventstore import Tracking

from kinlink_messaging.adapters.facility_messages_view import have_corresponded
from kinlink_messaging.domain.ids import reply_id
from kinlink_messaging.domain.message import ClientKeyMissing
from kinlink_messaging.domain.message import Message
from kinlink_messaging.domain.message import check_can_message
from kinlink_messaging.domain.message import check_content
from kinlink_messaging.service_layer.messaging import Messaging


class NoPriorCorrespondence(FailedPrecondition):
    def __init__(self) -> None:
        super().__init__(
            "no_prior_correspondence",
            "A resident replies only to a family account that has exchanged messages with them.",
        )


@dataclass(frozen=True)
class PostReply:
    client_key: str
    facility_id: str
    resident_id: str
    account_id: UUID
    body: str
    collect: bool = False


def post_reply(messaging: Messaging, integration: Principal, command: PostReply) -> Message:
    """The reply as a facility integration posts it over gRPC, for its own facilities only."""
    integration.require_facility(command.facility_id)
    return accept_reply(messaging, command, messaging.store.save)


def resident_message_posted(messaging: Messaging, envelope: Envelope, tracking: Tracking) -> None:
    """The reply as a facility's system publishes it on its own topic: no caller to check, as
    only the facilities' systems publish there (as DepositPosted is trusted in the ledger)."""
    posted = ResidentMessagePosted.model_validate(envelope.payload)
    command = PostReply(
        posted.client_key,
        posted.facility_id,
        posted.resident_id,
        posted.account_id,
        posted.body,
        posted.collect,
    )
    with rejecting(envelope):
        accept_reply(messaging, command, partial(messaging.store.save_tracked, tracking))


def accept_reply(
    messaging: Messaging, command: PostReply, save: Callable[[Message], Any]
) -> Message:
    """The reply checked against the rules and handed to `save`; the one already posted with
    the same client key if there is one."""
    if not command.client_key.strip():
        raise ClientKeyMissing()
    message_id = reply_id(command.facility_id, command.resident_id, command.client_key)
    if (posted := messaging.find(message_id, Message)) is not None:
        return posted  # the same reply, posted again
    facility = messaging.directory.facility(command.facility_id)
    check_can_message(
        messaging.directory.resident(command.facility_id, command.resident_id), facility
    )
    check_content(command.body, 0)
    if not have_corresponded(
        messaging.views.messages, command.account_id, command.facility_id, command.resident_id
    ):
        raise NoPriorCorrespondence()

    def attempt() -> Message:
        messaging.blocks(command.account_id).check_not_blocked(
            command.facility_id, command.resident_id
        )
        reply = Message.reply(
            message_id,
            command.account_id,
            command.facility_id,
            command.resident_id,
            command.body,
            (),
            collect=command.collect,
            reviewed=facility.review_policy is ReviewPolicy.REVIEW_ALL,
            at=messaging.clock(),
        )
        save(reply)
        return reply

    # Two posts of one reply at once: the one saved second finds the first's.
    return messaging.retrying(attempt, on_conflict=lambda: messaging.find(message_id, Message))

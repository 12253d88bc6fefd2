"""PostReply: a facility's system posts a resident's reply to a family account the resident
has corresponded with, optionally collect (the family member pays when opening it). A family
member who blocked the resident does not receive it. Reviewed as messages to residents are."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from kinlink_contracts.facility_settings import ReviewPolicy
from kinlink_kit.auth import Principal
from kinlink_kit.errors import FailedPrecondition

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
    if not command.client_key.strip():
        raise ClientKeyMissing()
    integration.require_facility(command.facility_id)
    message_id = reply_id(command.facility_id, command.resident_id, command.client_key)
    if (posted := messaging.find(message_id, Message)) is not None:
        return posted  # the same reply, posted again
    facility = messaging.directory.facility(command.facility_id)
    check_can_message(
        messaging.directory.resident(command.facility_id, command.resident_id), facility
    )
    check_content(command.body, 0, 0)
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
        messaging.store.save(reply)
        return reply

    # Two posts of one reply at once: the one saved second finds the first's.
    return messaging.retrying(attempt, on_conflict=lambda: messaging.find(message_id, Message))

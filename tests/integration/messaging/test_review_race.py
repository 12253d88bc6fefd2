"""Two officers deciding one message at the same moment, in two threads on one store: one
decision is recorded, the other officer is told the message was already decided, and a refund
follows only a rejection that was recorded, once."""

from __future__ import annotations

import threading
from collections.abc import Callable
from functools import partial
from uuid import UUID

from kinlink_contracts.facility_settings import ReviewPolicy
from kinlink_kit.auth import Principal
from kinlink_kit.auth import Role
from kinlink_kit.errors import ClientError
from kinlink_kit.leadership import Leadership
from kinlink_messaging.domain.message import Message
from kinlink_messaging.domain.message import MessageStatus
from kinlink_messaging.entrypoints.rejection_refunds import RejectionRefunds
from kinlink_messaging.service_layer.approve_message import approve_message
from kinlink_messaging.service_layer.messaging import Messaging
from kinlink_messaging.service_layer.reject_message import RejectMessage
from kinlink_messaging.service_layer.reject_message import reject_message

from tests.integration.messaging.conftest import Outside
from tests.integration.messaging.sent import sent_message
from tests.integration.messaging.test_rejection_refunds import caught_up
from tests.messaging_doubles import RESIDENT
from tests.messaging_doubles import REVIEWING_FACILITY
from tests.messaging_doubles import facility_settings

ROUNDS = 10


def officer(name: str) -> Principal:
    return Principal(name, frozenset({Role.FACILITY_OFFICER}), frozenset({REVIEWING_FACILITY}))


def at_once(*decisions: Callable[[], object]) -> list[object]:
    """Each decision in its own thread, released together."""
    start = threading.Barrier(len(decisions))
    outcomes: list[object] = [None] * len(decisions)

    def deciding(n: int) -> None:
        start.wait()
        try:
            outcomes[n] = decisions[n]()
        except ClientError as refusal:
            outcomes[n] = refusal

    threads = [threading.Thread(target=deciding, args=(n,)) for n in range(len(decisions))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


async def test_of_an_approval_and_a_rejection_at_once_one_is_recorded_and_refunded_if_it_won(
    messaging: Messaging, outside: Outside, family: UUID
) -> None:
    outside.directory.facilities[REVIEWING_FACILITY] = facility_settings(
        review_policy=ReviewPolicy.REVIEW_ALL, refund_rejected_messages=True
    )
    rejected_ones = []
    for n in range(ROUNDS):
        message = sent_message(messaging, family, REVIEWING_FACILITY, RESIDENT, client_key=f"{n}")
        outcomes = at_once(
            partial(approve_message, messaging, officer("officer-1"), message.id),
            partial(
                reject_message,
                messaging,
                officer("officer-2"),
                RejectMessage(message.id, "Not allowed."),
            ),
        )
        refusals = [o for o in outcomes if isinstance(o, ClientError)]
        assert len(refusals) == 1, outcomes
        assert refusals[0].code == "message_already_decided"
        decisions = [
            event
            for event in messaging.store.events.get(message.id)
            if isinstance(event, Message.Approved | Message.Rejected)
        ]
        assert len(decisions) == 1
        decided = messaging.find(message.id, Message)
        assert decided is not None
        if decided.status is MessageStatus.REJECTED:
            rejected_ones.append(message.reference)
        else:
            assert decided.status is MessageStatus.DELIVERED
    await caught_up(RejectionRefunds(messaging, Leadership(None, "refunds")))
    assert outside.wallet.refunded == rejected_ones

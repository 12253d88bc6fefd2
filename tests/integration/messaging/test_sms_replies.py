"""Family members' SMS replies (SmsReplyReceived on the SMS gateway's topic), through messaging's
consumer table: each becomes one message to the resident, already paid (never charged again),
reviewed as the facility reviews messages; a refused one is refunded and dead-lettered with its
code. Each run on SQLite and on the real PostgreSQL (the `messaging` fixture of this folder)."""

from __future__ import annotations

from datetime import UTC
from datetime import datetime
from typing import Any
from uuid import UUID
from uuid import uuid4

from kinlink_contracts.envelope import Envelope
from kinlink_contracts.sms import SmsReplyReceived
from kinlink_contracts.topics import SMS_EVENTS
from kinlink_contracts.topics import dead_letter_topic
from kinlink_kit.auth import Principal
from kinlink_kit.auth import Role
from kinlink_kit.bus import IncomingMessage
from kinlink_kit.bus import InMemoryBus
from kinlink_kit.consumer import consume
from kinlink_kit.consumer import event_tracking
from kinlink_kit.testing import Clock
from kinlink_messaging.domain.ids import sms_reply_id
from kinlink_messaging.domain.message import Direction
from kinlink_messaging.domain.message import Message
from kinlink_messaging.domain.message import MessageStatus
from kinlink_messaging.domain.ports import Payment
from kinlink_messaging.entrypoints.sms_events import SMS_HANDLERS
from kinlink_messaging.service_layer.approve_message import approve_message
from kinlink_messaging.service_layer.list_review_queue import ListReviewQueue
from kinlink_messaging.service_layer.list_review_queue import list_review_queue
from kinlink_messaging.service_layer.messaging import Messaging

from tests.integration.messaging.conftest import Outside
from tests.messaging_doubles import FACILITY
from tests.messaging_doubles import RESIDENT
from tests.messaging_doubles import REVIEWING_FACILITY


def sms_reply(
    account_id: UUID,
    *,
    sms_id: UUID | None = None,
    facility_id: str = FACILITY,
    resident_id: str = RESIDENT,
    body: str = "Love you, see you Sunday",
) -> Envelope:
    """A one-segment reply the gateway charged 50 cents for, as published on its topic."""
    sms_id = sms_id or uuid4()
    received = SmsReplyReceived(
        account_id=account_id,
        facility_id=facility_id,
        resident_id=resident_id,
        sms_id=sms_id,
        body=body,
        segments=1,
        amount_cents=50,
        payment_reference=f"sms:SM{sms_id.hex}",
        received_at=datetime(2026, 3, 2, 15, 0, tzinfo=UTC),
    )
    return Envelope.wrap(received, key=resident_id, producer="sms-gateway", correlation_id="test")


OFFICER = Principal("officer", frozenset({Role.FACILITY_OFFICER}), frozenset({REVIEWING_FACILITY}))


class SmsTopic:
    """The SMS gateway's events as messaging's consumer receives them, one offset after another."""

    def __init__(self, messaging: Messaging) -> None:
        self.bus = InMemoryBus()
        (self.consumer,) = consume(messaging, self.bus, "messaging", {SMS_EVENTS: SMS_HANDLERS})
        self.offset = 0

    async def deliver(self, envelope: Envelope) -> None:
        self.offset += 1
        await self.consumer.on_message(
            IncomingMessage(SMS_EVENTS, 0, self.offset, envelope.key, envelope.to_bytes())
        )

    async def reply(self, account_id: UUID, **about: Any) -> Envelope:
        envelope = sms_reply(account_id, **about)
        await self.deliver(envelope)
        return envelope

    def dead_letters(self) -> list[dict[str, str]]:
        return [m.headers for m in self.bus.topics[dead_letter_topic(SMS_EVENTS)]]


def passed_on(messaging: Messaging, envelope: Envelope) -> Message | None:
    reply = SmsReplyReceived.model_validate(envelope.payload)
    return messaging.find(sms_reply_id(reply.sms_id), Message)


async def test_a_reply_becomes_one_paid_message_to_the_resident_however_often_it_comes(
    messaging: Messaging, outside: Outside, family: UUID
) -> None:
    topic = SmsTopic(messaging)
    envelope = await topic.reply(family)
    message = passed_on(messaging, envelope)
    assert message is not None
    assert messaging.store.has_processed(event_tracking(envelope.event_id)), "saved with it"

    await topic.deliver(envelope)  # the same event delivered again (a consumer restarted)
    sms_id = SmsReplyReceived.model_validate(envelope.payload).sms_id
    republished = await topic.reply(family, sms_id=sms_id)  # the same SMS, as a new event
    assert messaging.store.has_processed(event_tracking(republished.event_id))
    again = passed_on(messaging, envelope)
    assert again is not None and again.version == message.version, "nothing happened again"
    assert (again.direction, again.account_id) == (Direction.TO_RESIDENT, family)
    assert (again.facility_id, again.resident_id) == (FACILITY, RESIDENT)
    assert again.body == "Love you, see you Sunday"
    assert again.status is MessageStatus.DELIVERED  # FAC-MSG does not review
    assert again.payment == Payment(f"sms:SM{sms_id.hex}", 50)
    assert outside.wallet.charged(family) == [], "paid by the SMS gateway: never charged here"
    assert outside.wallet.balances[family] == 1000
    assert topic.dead_letters() == []


async def test_a_reply_at_a_reviewing_facility_waits_for_an_officer(
    messaging: Messaging, family: UUID
) -> None:
    envelope = await SmsTopic(messaging).reply(family, facility_id=REVIEWING_FACILITY)

    message = passed_on(messaging, envelope)
    assert message is not None and message.status is MessageStatus.PENDING_REVIEW
    (queued,) = list_review_queue(messaging, OFFICER, ListReviewQueue(REVIEWING_FACILITY, 10)).rows
    assert queued.message.id == message.id
    assert approve_message(messaging, OFFICER, message.id).status is MessageStatus.DELIVERED


async def test_a_refused_reply_is_refunded_and_dead_lettered_with_its_code(
    messaging: Messaging, outside: Outside, family: UUID, clock: Clock
) -> None:
    topic = SmsTopic(messaging)
    outside.directory.book(FACILITY, "R-GONE", released=True)
    blocks = messaging.blocks(family)
    blocks.block(REVIEWING_FACILITY, RESIDENT, clock.now)
    messaging.store.save(blocks)

    refused = [
        await topic.reply(family, resident_id="R-GONE"),
        await topic.reply(family, resident_id="R-UNKNOWN"),
        await topic.reply(family, facility_id=REVIEWING_FACILITY),
    ]
    answered = await topic.reply(family)

    letters = topic.dead_letters()
    assert [letter["dlq-error-type"] for letter in letters] == ["EventRejected"] * 3
    codes = ["resident_released", "resident_not_found", "resident_blocked"]
    for letter, code in zip(letters, codes, strict=True):
        assert f": {code}: " in letter["dlq-error"]
        assert letter["dlq-topic"] == SMS_EVENTS
    assert [passed_on(messaging, envelope) for envelope in refused] == [None] * 3
    assert passed_on(messaging, answered) is not None
    references = [SmsReplyReceived.model_validate(e.payload).payment_reference for e in refused]
    assert outside.wallet.refunded == references
    assert outside.wallet.balances[family] == 1000 + 3 * 50, "what the gateway took, given back"

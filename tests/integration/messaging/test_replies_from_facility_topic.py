"""Residents' replies a facility's system publishes on its topic (ResidentMessagePosted),
through messaging's consumer table: posted once however often the event comes, under the same
rules as PostReply, and a refused one dead-lettered with its code. Each run on SQLite and on
the real PostgreSQL (the `messaging` fixture of this folder's conftest)."""

from __future__ import annotations

from uuid import UUID

from kinlink_contracts.envelope import Envelope
from kinlink_contracts.facility import ResidentMessagePosted
from kinlink_contracts.topics import FACILITY_EVENTS
from kinlink_contracts.topics import dead_letter_topic
from kinlink_kit.bus import IncomingMessage
from kinlink_kit.bus import InMemoryBus
from kinlink_kit.consumer import consume
from kinlink_kit.consumer import event_tracking
from kinlink_kit.testing import Clock
from kinlink_messaging.domain.ids import reply_id
from kinlink_messaging.domain.message import Direction
from kinlink_messaging.domain.message import Message
from kinlink_messaging.domain.message import MessageStatus
from kinlink_messaging.entrypoints.facility_events import FACILITY_HANDLERS
from kinlink_messaging.service_layer.list_messages import ListMessages
from kinlink_messaging.service_layer.list_messages import list_inbox
from kinlink_messaging.service_layer.messaging import Messaging

from tests.integration.messaging.sent import sent_message
from tests.messaging_doubles import FACILITY
from tests.messaging_doubles import RESIDENT
from tests.messaging_doubles import REVIEWING_FACILITY


class FacilityTopic:
    """The facility's events as messaging's consumer receives them, one offset after another."""

    def __init__(self, messaging: Messaging) -> None:
        self.bus = InMemoryBus()
        (self.consumer,) = consume(
            messaging, self.bus, "messaging", {FACILITY_EVENTS: FACILITY_HANDLERS}
        )
        self.offset = 0

    async def deliver(self, envelope: Envelope) -> None:
        self.offset += 1
        await self.consumer.on_message(
            IncomingMessage(FACILITY_EVENTS, 0, self.offset, envelope.key, envelope.to_bytes())
        )

    async def post(
        self,
        account_id: UUID,
        *,
        key: str = "tablet-1",
        facility_id: str = FACILITY,
        resident_id: str = RESIDENT,
        collect: bool = False,
    ) -> Envelope:
        posted = ResidentMessagePosted(
            facility_id=facility_id,
            resident_id=resident_id,
            account_id=account_id,
            body="Thank you for the photos.",
            collect=collect,
            client_key=key,
        )
        envelope = Envelope.wrap(posted, key=resident_id, producer="kiosk", correlation_id="test")
        await self.deliver(envelope)
        return envelope

    def dead_letters(self) -> list[dict[str, str]]:
        return [m.headers for m in self.bus.topics[dead_letter_topic(FACILITY_EVENTS)]]


def inbox(messaging: Messaging, account_id: UUID) -> list[Message]:
    return list_inbox(messaging, ListMessages(account_id, page_size=10)).rows


async def test_a_reply_from_the_topic_reaches_the_inbox_once_however_often_it_comes(
    messaging: Messaging, family: UUID
) -> None:
    sent_message(messaging, family, FACILITY, RESIDENT)
    topic = FacilityTopic(messaging)
    envelope = await topic.post(family, collect=True)
    (received,) = inbox(messaging, family)
    assert messaging.store.has_processed(event_tracking(envelope.event_id)), "saved with it"

    await topic.deliver(envelope)  # the same event delivered again (a consumer restarted)
    await topic.post(family)  # published again by the facility's system, as a new event
    (still,) = inbox(messaging, family)
    assert received.id == still.id == reply_id(FACILITY, RESIDENT, "tablet-1")
    assert still.version == received.version, "nothing happened to it again"
    assert still.direction is Direction.FROM_RESIDENT
    assert still.status is MessageStatus.DELIVERED  # FAC-MSG does not review
    assert (still.body, still.collect) == ("Thank you for the photos.", True)
    assert topic.dead_letters() == []


async def test_a_reply_at_a_reviewing_facility_waits_for_an_officer(
    messaging: Messaging, family: UUID
) -> None:
    sent_message(messaging, family, REVIEWING_FACILITY, RESIDENT)
    await FacilityTopic(messaging).post(family, facility_id=REVIEWING_FACILITY)

    posted = messaging.find(reply_id(REVIEWING_FACILITY, RESIDENT, "tablet-1"), Message)
    assert posted is not None and posted.status is MessageStatus.PENDING_REVIEW
    assert inbox(messaging, family) == []


async def test_a_refused_reply_is_dead_lettered_with_its_code_and_the_next_is_posted(
    messaging: Messaging, family: UUID, clock: Clock
) -> None:
    topic = FacilityTopic(messaging)
    await topic.post(family, key="before-any-message")
    sent_message(messaging, family, FACILITY, RESIDENT)
    await topic.post(family, key="to-an-unknown-resident", resident_id="R-UNKNOWN")
    sent_message(messaging, family, REVIEWING_FACILITY, RESIDENT, client_key="compose-2")
    blocks = messaging.blocks(family)
    blocks.block(REVIEWING_FACILITY, RESIDENT, clock.now)
    messaging.store.save(blocks)
    await topic.post(family, key="to-one-who-blocked", facility_id=REVIEWING_FACILITY)
    await topic.post(family, key="answered")

    letters = topic.dead_letters()
    assert [letter["dlq-error-type"] for letter in letters] == ["EventRejected"] * 3
    codes = ["no_prior_correspondence", "resident_not_found", "resident_blocked"]
    for letter, code in zip(letters, codes, strict=True):
        assert f": {code}: " in letter["dlq-error"]
        assert letter["dlq-topic"] == FACILITY_EVENTS
    assert [m.id for m in inbox(messaging, family)] == [reply_id(FACILITY, RESIDENT, "answered")]
    assert messaging.find(reply_id(FACILITY, RESIDENT, "before-any-message"), Message) is None
    blocked = reply_id(REVIEWING_FACILITY, RESIDENT, "to-one-who-blocked")
    assert messaging.find(blocked, Message) is None

"""What the outbox publishes of a message's life, on SQLite and on the real PostgreSQL: each
integration event keyed by resident id, with the message as of that event; never its body, its
images' bytes, nor what stays internal (awaiting payment, abandoned, a collect payment)."""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID
from uuid import uuid4

import pytest
from kinlink_contracts.envelope import Envelope
from kinlink_contracts.messaging import MessageApproved
from kinlink_contracts.messaging import MessageDelivered
from kinlink_contracts.messaging import MessageDirection
from kinlink_contracts.messaging import MessageImage
from kinlink_contracts.messaging import MessageRead
from kinlink_contracts.messaging import MessageRejected
from kinlink_contracts.messaging import MessageSubmitted
from kinlink_kit.outbox import TranslateOne
from kinlink_kit.testing import Clock
from kinlink_messaging.adapters.integration_events import MessagingEventTranslator
from kinlink_messaging.domain.message import ImageRef
from kinlink_messaging.domain.message import Message
from kinlink_messaging.domain.ports import Payment
from kinlink_messaging.service_layer.messaging import Messaging
from kinlink_messaging.service_layer.messaging import MessagingStore

FAMILY = UUID("2f0e4a1b-6c3d-4e5f-8a9b-0c1d2e3f4a5b")
BODY = "Happy birthday, the whole family sends love."


@pytest.fixture
def store(messaging: Messaging) -> MessagingStore:
    return messaging.store


def published(store: MessagingStore, translate: TranslateOne | None = None) -> list[Envelope]:
    translate = translate or MessagingEventTranslator(store)
    notifications = store.tracking.select_notifications(0, 1000, inclusive_of_start=False)
    return [Envelope.from_bytes(m.value) for n in notifications if (m := translate(n))]


def family_message(clock: Clock, images: int = 0) -> Message:
    message_id = uuid4()
    refs = tuple(
        ImageRef(*ImageRef.keys(message_id, n), f"{n:064x}", "image/jpeg", 800, 600, 40_000 + n)
        for n in range(images)
    )
    return Message.start(message_id, FAMILY, "FAC-DEMO", "R-1001", BODY, refs, None, clock())


def test_a_reviewed_message_is_published_from_submitted_to_expired(
    store: MessagingStore, clock: Clock
) -> None:
    message = family_message(clock, images=2)
    store.save(message)  # started: awaiting its payment, not published
    payment = Payment(message.reference, 250, 750)
    message.submit(payment, reviewed=True, at=clock())
    message.approve("officer-7", clock())
    store.save(message)
    clock.now += timedelta(minutes=5)
    message.deliver(clock())
    read_at = clock()
    message.read(read_at)
    store.save(message)
    clock.now += timedelta(days=14)
    message.expire(clock())
    store.save(message)

    envelopes = published(store)
    assert [e.type for e in envelopes] == [
        "MessageSubmitted",
        "MessageApproved",
        "MessageDelivered",
        "MessageRead",
        "MessageExpired",
    ]
    assert {(e.key, e.producer, e.payload["message_id"]) for e in envelopes} == {
        ("R-1001", "messaging", str(message.id))
    }
    submitted = MessageSubmitted.model_validate(envelopes[0].payload)
    assert (submitted.amount_cents, submitted.payment_reference) == (250, f"message:{message.id}")
    assert (submitted.account_id, submitted.direction) == (FAMILY, MessageDirection.TO_RESIDENT)
    assert submitted.images[1] == MessageImage(
        key=f"messages/{message.id}/1.jpg",
        thumbnail_key=f"messages/{message.id}/1-thumb.jpg",
        sha256=f"{1:064x}",
        content_type="image/jpeg",
        width=800,
        height=600,
        size_bytes=40_001,
    )
    assert MessageApproved.model_validate(envelopes[1].payload).officer_id == "officer-7"
    read = MessageRead.model_validate(envelopes[3].payload)
    assert read.expires_at == read_at + timedelta(days=14)
    assert all(BODY not in e.to_bytes().decode() for e in envelopes)
    # One id per stored event: a relay publishing it again publishes the same id.
    assert [e.event_id for e in published(store)] == [e.event_id for e in envelopes]


def test_a_rejection_is_published_with_its_reason(store: MessagingStore, clock: Clock) -> None:
    message = family_message(clock)
    message.submit(Payment(message.reference, 50, 950), reviewed=True, at=clock())
    message.reject("officer-7", "  Names another resident. ", clock())
    store.save(message)
    *_, rejected = published(store)
    assert MessageRejected.model_validate(rejected.payload).reason == "Names another resident."


def test_a_collect_reply_is_submitted_unpaid_approved_by_nobody_and_delivered_collect(
    store: MessagingStore, clock: Clock
) -> None:
    reply = Message.reply(
        uuid4(), FAMILY, "FAC-DEMO", "R-1001", BODY, (), collect=True, reviewed=False, at=clock()
    )
    store.save(reply)
    reply.pay_to_open(Payment(reply.collect_reference, 50, 0), clock())  # the ledger tells that
    store.save(reply)
    submitted, approved, delivered = published(store)
    unpaid = MessageSubmitted.model_validate(submitted.payload)
    assert (unpaid.direction, unpaid.amount_cents, unpaid.payment_reference, unpaid.collect) == (
        MessageDirection.FROM_RESIDENT,
        0,
        None,
        True,
    )
    assert MessageApproved.model_validate(approved.payload).officer_id is None
    assert MessageDelivered.model_validate(delivered.payload).collect


def test_a_message_whose_payment_never_happened_publishes_nothing(
    store: MessagingStore, clock: Clock
) -> None:
    message = family_message(clock)
    message.abandon(clock())
    store.save(message)
    assert published(store) == []


def test_a_relay_started_in_the_middle_of_messages_publishes_the_same_events(
    store: MessagingStore, clock: Clock
) -> None:
    first, second = family_message(clock, images=1), family_message(clock)
    for message in (first, second):
        message.submit(Payment(message.reference, 150, 850), reviewed=True, at=clock())
    store.save(first, second)
    first.approve("officer-7", clock())
    second.reject("officer-7", "Names another resident.", clock())
    store.save(second, first)
    first.deliver(clock())
    first.read(clock())
    store.save(first)

    in_one_run = published(store)
    # A relay started before each event knows no earlier one: it reads the message back.
    each_from_a_fresh_relay = published(store, lambda n: MessagingEventTranslator(store)(n))
    remembering_one_message = published(store, MessagingEventTranslator(store, remembered=1))
    assert [e.type for e in in_one_run] == [
        "MessageSubmitted",
        "MessageSubmitted",
        "MessageRejected",
        "MessageApproved",
        "MessageDelivered",
        "MessageRead",
    ]
    assert each_from_a_fresh_relay == in_one_run
    assert remembering_one_message == in_one_run

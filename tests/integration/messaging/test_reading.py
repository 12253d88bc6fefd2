"""Reading, collect messages, the inbox and sent folders, and expiry 14 days after reading, to
the instant, whatever the time zones, and whatever the expiry job has done."""

from __future__ import annotations

from datetime import UTC
from datetime import datetime
from datetime import timedelta
from uuid import UUID
from uuid import uuid4
from zoneinfo import ZoneInfo

import pytest
from kinlink_kit.errors import FailedPrecondition
from kinlink_kit.errors import NotFound
from kinlink_kit.testing import Clock
from kinlink_kit.testing import refused
from kinlink_messaging.domain.message import Message
from kinlink_messaging.domain.message import MessageStatus
from kinlink_messaging.service_layer.expire_messages import expire_messages
from kinlink_messaging.service_layer.list_messages import ListMessages
from kinlink_messaging.service_layer.list_messages import list_inbox
from kinlink_messaging.service_layer.list_messages import list_sent
from kinlink_messaging.service_layer.messaging import Messaging
from kinlink_messaging.service_layer.open_collect_message import open_collect_message
from kinlink_messaging.service_layer.read_message import read_message
from kinlink_messaging.service_layer.send_message import SendMessage
from kinlink_messaging.service_layer.send_message import send_message

from tests.integration.messaging.conftest import Outside
from tests.integration.messaging.conftest import reply
from tests.messaging_doubles import FACILITY
from tests.messaging_doubles import RESIDENT
from tests.messaging_doubles import REVIEWING_FACILITY

CHICAGO = ZoneInfo("America/Chicago")  # the facility's
LONDON = ZoneInfo("Europe/London")  # a reader abroad


def test_opening_a_reply_reads_it_once(
    messaging: Messaging, outside: Outside, family: UUID, clock: Clock
) -> None:
    message = reply(messaging, outside, family)
    opened = read_message(messaging, family, message.id)
    clock.now += timedelta(hours=1)
    read_message(messaging, family, message.id)

    assert (opened.status, opened.read_at, opened.body) == (
        MessageStatus.READ,
        clock.now - timedelta(hours=1),
        "Thank you for writing",
    )
    reads = [e for e in messaging.store.events.get(message.id) if isinstance(e, Message.Read)]
    assert len(reads) == 1


def test_a_reply_awaiting_review_and_someone_elses_message_are_not_found(
    messaging: Messaging, outside: Outside, family: UUID
) -> None:
    pending = reply(messaging, outside, family, reviewed=True)
    with refused(NotFound, "message_not_found"):
        read_message(messaging, family, pending.id)
    delivered = reply(messaging, outside, family)
    with refused(NotFound, "message_not_found"):
        read_message(messaging, uuid4(), delivered.id)


def test_a_collect_message_shows_nothing_until_paid_and_is_charged_once(
    messaging: Messaging, outside: Outside, family: UUID
) -> None:
    message = reply(messaging, outside, family, collect=True)
    with refused(FailedPrecondition, "collect_message_unpaid"):
        read_message(messaging, family, message.id)

    outside.wallet.balances[family] = 49  # a message costs 50
    with refused(FailedPrecondition, "insufficient_credit"):
        open_collect_message(messaging, family, message.id)
    assert messaging.message_of(family, message.id).status is MessageStatus.DELIVERED

    outside.wallet.fund(family, 1)
    opened = open_collect_message(messaging, family, message.id)
    again = open_collect_message(messaging, family, message.id)
    assert read_message(messaging, family, message.id).body == "Thank you for writing"
    assert (opened.status, again.status) == (MessageStatus.READ, MessageStatus.READ)
    assert [p.reference for p in outside.wallet.charged(family)] == [f"collect:{message.id}"]
    assert outside.wallet.balances[family] == 0


@pytest.mark.parametrize(
    "read_at",
    [
        # In the facility's zone, five days before its clocks go back (1 November 2026).
        datetime(2026, 10, 27, 21, 30, tzinfo=CHICAGO),
        # In the reader's zone, the evening before theirs go back (25 October 2026).
        datetime(2026, 10, 24, 23, 45, tzinfo=LONDON),
        # The hour Chicago lives twice, its second time.
        datetime(2026, 11, 1, 1, 15, tzinfo=CHICAGO, fold=1),
    ],
)
def test_a_read_message_is_refused_from_exactly_336_hours_after_reading(
    messaging: Messaging, outside: Outside, family: UUID, clock: Clock, read_at: datetime
) -> None:
    message = reply(messaging, outside, family)
    clock.now = read_at
    read_message(messaging, family, message.id)
    expiry = read_at.astimezone(UTC) + timedelta(hours=336)

    # The clocks the check runs on show the local time of either zone.
    clock.now = (expiry - timedelta(microseconds=1)).astimezone(CHICAGO)
    assert read_message(messaging, family, message.id).body == "Thank you for writing"
    assert expire_messages(messaging) == 0
    clock.now = expiry.astimezone(LONDON)
    with refused(FailedPrecondition, "message_expired"):
        read_message(messaging, family, message.id)  # before the job ran
    with refused(FailedPrecondition, "message_expired"):
        open_collect_message(messaging, family, message.id)


def test_the_expiry_job_deletes_the_images_and_publishes_the_expiry_once(
    messaging: Messaging, outside: Outside, family: UUID, clock: Clock
) -> None:
    message = reply(messaging, outside, family)
    unread = reply(messaging, outside, family)
    read_message(messaging, family, message.id)
    clock.now += timedelta(days=14)

    assert expire_messages(messaging) == 1
    assert expire_messages(messaging) == 0
    assert sorted(outside.images.objects) == sorted(unread.image_keys())
    expiries = [e for e in messaging.store.events.get(message.id) if isinstance(e, Message.Expired)]
    assert len(expiries) == 1
    with refused(FailedPrecondition, "message_expired"):
        read_message(messaging, family, message.id)


def test_the_folders_list_each_message_with_its_status_newest_first(
    messaging: Messaging, outside: Outside, family: UUID, clock: Clock
) -> None:
    def send(key: str, facility_id: str = REVIEWING_FACILITY) -> Message:
        clock.now += timedelta(minutes=1)
        return send_message(messaging, SendMessage(family, facility_id, RESIDENT, key, key))

    pending = send("pending")
    approved = send("approved")
    approved.approve("officer-1", clock.now)
    rejected = send("rejected")
    rejected.reject("officer-1", "Mentions another resident", clock.now)
    delivered = send("delivered", FACILITY)
    messaging.store.save(approved, rejected)
    outside.wallet.balances[family] = 0
    with refused(FailedPrecondition, "insufficient_credit"):
        send("abandoned")  # never listed
    clock.now += timedelta(minutes=1)
    received = reply(messaging, outside, family)
    reply(messaging, outside, family, reviewed=True)  # not in the inbox until delivered

    sent = list_sent(messaging, ListMessages(family, 3))
    rest = list_sent(messaging, ListMessages(family, 3, sent.next_page_token))
    assert [(m.id, m.status, m.rejection_reason) for m in sent.rows + rest.rows] == [
        (delivered.id, MessageStatus.DELIVERED, None),
        (rejected.id, MessageStatus.REJECTED, "Mentions another resident"),
        (approved.id, MessageStatus.APPROVED, None),
        (pending.id, MessageStatus.PENDING_REVIEW, None),
    ]
    assert rest.next_page_token == ""
    inbox = list_inbox(messaging, ListMessages(family, 10))
    assert [(m.id, m.status) for m in inbox.rows] == [(received.id, MessageStatus.DELIVERED)]
    read_message(messaging, family, received.id)
    assert list_inbox(messaging, ListMessages(family, 10)).rows[0].status is MessageStatus.READ
    assert list_inbox(messaging, ListMessages(uuid4(), 10)).rows == []


def test_a_message_whose_images_cannot_be_deleted_now_expires_on_a_later_run(
    messaging: Messaging, outside: Outside, family: UUID, clock: Clock
) -> None:
    stuck = reply(messaging, outside, family)
    other = reply(messaging, outside, family)
    for message in (stuck, other):
        read_message(messaging, family, message.id)
    clock.now += timedelta(days=14)
    delete = outside.images.delete

    def failing_delete(key: str) -> None:
        if key in stuck.image_keys():
            raise ConnectionError("the object store did not answer")
        delete(key)

    outside.images.delete = failing_delete
    assert expire_messages(messaging) == 1
    assert messaging.message_of(family, stuck.id).status is MessageStatus.READ
    outside.images.delete = delete
    assert expire_messages(messaging) == 1
    assert messaging.message_of(family, stuck.id).status is MessageStatus.EXPIRED
    assert outside.images.objects == {}

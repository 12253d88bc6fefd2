"""What the review and the facilities' replies read from the messages view: a facility's
review queue, oldest first, page by page, and whether an account and a resident corresponded."""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID
from uuid import uuid4

from kinlink_kit.errors import FailedPrecondition
from kinlink_kit.testing import Clock
from kinlink_kit.testing import refused
from kinlink_messaging.service_layer.messaging import Messaging
from kinlink_messaging.service_layer.send_message import SendMessage
from kinlink_messaging.service_layer.send_message import send_message

from tests.integration.messaging.conftest import Outside
from tests.messaging_doubles import FACILITY
from tests.messaging_doubles import RESIDENT
from tests.messaging_doubles import REVIEWING_FACILITY


def test_the_review_queue_is_a_facilitys_pending_messages_oldest_first(
    messaging: Messaging, family: UUID, clock: Clock
) -> None:
    sent = []
    for key in ("a", "b", "c"):
        clock.now += timedelta(minutes=1)
        command = SendMessage(family, REVIEWING_FACILITY, RESIDENT, key, key)
        sent.append(send_message(messaging, command))
    send_message(messaging, SendMessage(family, FACILITY, RESIDENT, "d", "delivered at once"))
    sent[1].approve("officer-1", clock.now)
    messaging.store.save(sent[1])

    queue = messaging.views.messages
    first = queue.review_queue(REVIEWING_FACILITY, 1)
    assert [m for _, m in first] == [sent[0].id]
    rest = queue.review_queue(REVIEWING_FACILITY, 10, (first[0][0], str(first[0][1])))
    assert [m for _, m in rest] == [sent[2].id]
    assert queue.review_queue(FACILITY, 10) == []


def test_an_account_corresponded_with_a_resident_once_a_message_was_submitted(
    messaging: Messaging, outside: Outside, family: UUID
) -> None:
    views = messaging.views.messages
    outside.wallet.balances[family] = 0
    with refused(FailedPrecondition, "insufficient_credit"):
        send_message(messaging, SendMessage(family, FACILITY, RESIDENT, "k", "Hello"))
    assert not views.corresponded(family, FACILITY, RESIDENT)

    outside.wallet.fund(family, 50)
    send_message(messaging, SendMessage(family, FACILITY, RESIDENT, "k", "Hello"))
    assert views.corresponded(family, FACILITY, RESIDENT)
    assert not views.corresponded(family, REVIEWING_FACILITY, RESIDENT)
    assert not views.corresponded(uuid4(), FACILITY, RESIDENT)

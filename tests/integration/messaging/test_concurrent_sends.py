"""The same send asked many times at once, through two replicas on one database: one message,
charged once, whatever order the saves land in."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from uuid import UUID

from kinlink_messaging.domain.message import MessageStatus
from kinlink_messaging.service_layer.messaging import Messaging
from kinlink_messaging.service_layer.send_message import SendMessage
from kinlink_messaging.service_layer.send_message import send_message

from tests.integration.messaging.conftest import Outside
from tests.messaging_doubles import FACILITY
from tests.messaging_doubles import RESIDENT

SENDS = 12


def test_a_send_asked_at_once_through_two_replicas_is_one_message_charged_once(
    reopen: Callable[[], Messaging], outside: Outside, family: UUID
) -> None:
    replicas = [reopen(), reopen()]
    command = SendMessage(family, FACILITY, RESIDENT, "same-key", "Hello", (b"photo",))
    with ThreadPoolExecutor(SENDS) as pool:
        sent = list(pool.map(lambda n: send_message(replicas[n % 2], command), range(SENDS)))

    assert len({message.id for message in sent}) == 1
    assert [p.amount_cents for p in outside.wallet.charged(family)] == [150]
    assert outside.wallet.balances[family] == 850
    final = replicas[0].message_of(family, sent[0].id)
    assert final.status is MessageStatus.DELIVERED
    assert final.payment == outside.wallet.charged(family)[0]

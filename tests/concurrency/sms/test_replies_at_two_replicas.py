"""One SMS reply posted at once to two gateway replicas on one PostgreSQL database (Twilio
retrying at another replica while the first still answers), several times over, with the settle
sweep running beside them: one inbound SMS, one charge, one SmsReplyReceived, the same answer."""

from __future__ import annotations

import threading
from datetime import timedelta
from uuid import uuid4

from kinlink_sms.domain.ports import ReceivedSms
from kinlink_sms.service_layer.charge_reply import settle_replies
from kinlink_sms.service_layer.gateway import SmsGateway
from kinlink_sms.service_layer.receive_sms import receive_sms

# Two gateways on one PostgreSQL database, as the status callbacks' test opens them.
from tests.concurrency.sms.test_status_callbacks_at_once import replicas  # noqa: F401
from tests.integration.sms.subscribed import published_replies
from tests.integration.sms.subscribed import subscribed
from tests.sms_doubles import SMS_FACILITY
from tests.sms_doubles import SmsOutside

PHONE = "+13125550123"
ROUNDS = 5  # replies, each posted at once to both replicas twice, beside a sweep


def posted_at_once(one: SmsGateway, other: SmsGateway, sms: ReceivedSms) -> list[str | None]:
    """The reply posted twice to each replica while the settle sweep runs at one of them, all
    released together; the answers."""
    start = threading.Barrier(5)
    answers: list[str | None] = []

    def posting(gateway: SmsGateway) -> None:
        start.wait()
        answers.append(receive_sms(gateway, sms))

    def sweeping(gateway: SmsGateway) -> None:
        start.wait()
        settle_replies(gateway, timedelta(0))  # even a reply just received

    threads = [
        *(threading.Thread(target=posting, args=(g,)) for g in (one, other, one, other)),
        threading.Thread(target=sweeping, args=(other,)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers


def test_a_reply_posted_at_once_to_two_replicas_is_charged_once(
    replicas: tuple[SmsOutside, list[SmsGateway]],  # noqa: F811
) -> None:
    outside, (one, other) = replicas
    account = uuid4()
    outside.wallet.fund(account, 100)
    kinlink_number = subscribed(one, outside, account, PHONE, SMS_FACILITY).kinlink_number
    assert kinlink_number is not None
    replies = [
        ReceivedSms(f"SM{uuid4().hex}", PHONE, kinlink_number, f"Reply {n}", 1)
        for n in range(ROUNDS)
    ]

    for sms in replies:
        assert posted_at_once(one, other, sms) == [None] * 4

    charged = {p.reference: p.amount_cents for p in outside.wallet.charged(account)}
    assert charged == {f"sms:{sms.sid}": 5 for sms in replies}
    assert outside.wallet.balances[account] == 100 - 5 * ROUNDS
    assert [e.type for e in published_replies(one)] == ["SmsReplyReceived"] * ROUNDS

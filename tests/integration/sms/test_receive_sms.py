"""An SMS a family phone sends to a Kinlink number, as the webhook hands it over, on SQLite and on
the real PostgreSQL: a reply routed by (From, To) is charged every segment at once and passed on;
without credit, refused and the answer says to refill; keywords, strangers, pictures and phones
whose SMS are off are never charged; a webhook posted again has no second effect."""

from __future__ import annotations

import threading
from datetime import timedelta
from uuid import UUID
from uuid import uuid4

import pytest
from kinlink_contracts.sms import SmsReplyReceived
from kinlink_kit.testing import Clock
from kinlink_sms.domain.inbound_sms import InboundSms
from kinlink_sms.domain.inbound_sms import InboundStatus
from kinlink_sms.domain.inbound_sms import RefusalReason
from kinlink_sms.domain.ports import Payment
from kinlink_sms.domain.ports import ReceivedPicture
from kinlink_sms.domain.ports import ReceivedSms
from kinlink_sms.domain.subscription import SmsSubscription
from kinlink_sms.service_layer.charge_reply import settle_replies
from kinlink_sms.service_layer.disable_sms import disable_sms
from kinlink_sms.service_layer.gateway import SmsGateway
from kinlink_sms.service_layer.handle_keyword import STARTED
from kinlink_sms.service_layer.handle_keyword import STOPPED
from kinlink_sms.service_layer.receive_sms import NO_PICTURES
from kinlink_sms.service_layer.receive_sms import NOT_ROUTED
from kinlink_sms.service_layer.receive_sms import REFILL
from kinlink_sms.service_layer.receive_sms import TURNED_OFF
from kinlink_sms.service_layer.receive_sms import receive_sms
from prometheus_client import REGISTRY

from tests.integration.sms.subscribed import published_replies
from tests.integration.sms.subscribed import subscribed
from tests.sms_doubles import RESIDENT
from tests.sms_doubles import SMS_FACILITY
from tests.sms_doubles import SmsOutside

PHONE = "+13125550123"


@pytest.fixture
def family(outside: SmsOutside) -> UUID:
    """A family member with 100 cents in their messaging subscription (5 a segment here)."""
    account_id = uuid4()
    outside.wallet.fund(account_id, 100)
    return account_id


@pytest.fixture
def conversation(gateway: SmsGateway, outside: SmsOutside, family: UUID) -> SmsSubscription:
    """SMS on for the resident at FAC-SMS, on PHONE."""
    return subscribed(gateway, outside, family, PHONE, SMS_FACILITY)


def sms_to(conversation: SmsSubscription, body: str, pictures: int = 0) -> ReceivedSms:
    """A new SMS (its own MessageSid) from the conversation's phone to its Kinlink number."""
    assert conversation.kinlink_number is not None
    picture = ReceivedPicture("https://api.twilio.com/Media/ME1", "image/jpeg")
    return ReceivedSms(
        f"SM{uuid4().hex}", PHONE, conversation.kinlink_number, body, 1, (picture,) * pictures
    )


def counted(outcome: str) -> float:
    """How many inbound SMS the gateway counted with this outcome (kinlink_sms_inbound_total)."""
    return REGISTRY.get_sample_value("kinlink_sms_inbound_total", {"outcome": outcome}) or 0.0


def inbound(gateway: SmsGateway, sms: ReceivedSms) -> InboundSms | None:
    return gateway.find(InboundSms.create_id(sms.sid), InboundSms)


def test_a_reply_is_charged_every_segment_at_once_and_passed_on_to_its_resident(
    gateway: SmsGateway, outside: SmsOutside, family: UUID, conversation: SmsSubscription
) -> None:
    body = "Miss you 😊 " * 8  # the emoji makes it UCS-2: 96 units, 2 segments of 67
    sms = sms_to(conversation, body)

    assert receive_sms(gateway, sms) is None, "a reply passed on is not answered"
    passed = inbound(gateway, sms)
    assert passed is not None and passed.status is InboundStatus.PASSED_ON
    assert (passed.segments, passed.encoding, passed.amount_cents) == (2, "ucs2", 10)
    assert outside.wallet.charged(family) == [Payment(f"sms:{sms.sid}", 10, 90)]
    (envelope,) = published_replies(gateway)
    event = SmsReplyReceived.model_validate(envelope.payload)
    assert envelope.key == RESIDENT
    assert (event.account_id, event.facility_id, event.resident_id) == (
        family,
        SMS_FACILITY,
        RESIDENT,
    )
    assert (event.body, event.segments, event.amount_cents) == (body, 2, 10)
    assert event.payment_reference == f"sms:{sms.sid}"


def test_a_webhook_posted_again_has_no_second_effect_and_the_same_answer(
    gateway: SmsGateway, outside: SmsOutside, family: UUID, conversation: SmsSubscription
) -> None:
    paid = sms_to(conversation, "See you Sunday")
    assert receive_sms(gateway, paid) is None
    version = inbound(gateway, paid).version  # type: ignore[union-attr]
    too_long = sms_to(conversation, "a" * 153 * 19 + "b")  # 20 segments: 100 cents, 95 left

    assert receive_sms(gateway, too_long) == REFILL
    for _ in range(2):
        assert receive_sms(gateway, paid) is None
        assert receive_sms(gateway, too_long) == REFILL
    assert inbound(gateway, paid).version == version  # type: ignore[union-attr]
    assert outside.wallet.charged(family) == [Payment(f"sms:{paid.sid}", 5, 95)]
    assert [e.type for e in published_replies(gateway)] == ["SmsReplyReceived", "SmsReplyRefused"]


def test_the_same_sms_posted_twice_at_once_is_charged_once(
    gateway: SmsGateway, outside: SmsOutside, family: UUID, conversation: SmsSubscription
) -> None:
    sms = sms_to(conversation, "See you Sunday")
    start = threading.Barrier(2)
    answers: list[str | None] = []

    def posting() -> None:
        start.wait()
        answers.append(receive_sms(gateway, sms))

    threads = [threading.Thread(target=posting) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert answers == [None, None]
    assert outside.wallet.charged(family) == [Payment(f"sms:{sms.sid}", 5, 95)]
    assert [e.type for e in published_replies(gateway)] == ["SmsReplyReceived"]


def test_a_reply_without_credit_is_refused_and_told_to_refill(
    gateway: SmsGateway, outside: SmsOutside, family: UUID, conversation: SmsSubscription
) -> None:
    outside.wallet.balances[family] = 4
    sms = sms_to(conversation, "See you Sunday")

    assert receive_sms(gateway, sms) == REFILL
    refused = inbound(gateway, sms)
    assert refused is not None and refused.refusal is RefusalReason.INSUFFICIENT_CREDIT
    assert outside.wallet.charged(family) == []
    assert outside.wallet.balances[family] == 4


def test_a_reply_with_pictures_where_the_facility_takes_none_is_refused_with_an_answer(
    gateway: SmsGateway, outside: SmsOutside, family: UUID
) -> None:
    sms = sms_to(subscribed(gateway, outside, family, PHONE, SMS_FACILITY), "Look!", pictures=1)

    assert receive_sms(gateway, sms) == NO_PICTURES
    assert receive_sms(gateway, sms) == NO_PICTURES
    refused = inbound(gateway, sms)
    assert refused is not None and refused.refusal is RefusalReason.MMS_UNAVAILABLE
    assert outside.wallet.charged(family) == []
    assert [e.type for e in published_replies(gateway)] == ["SmsReplyRefused"]
    assert outside.carrier.fetched == []  # not even fetched


def test_an_sms_no_conversation_knows_gets_a_plain_answer_and_costs_nothing(
    gateway: SmsGateway, outside: SmsOutside, family: UUID, conversation: SmsSubscription
) -> None:
    assert conversation.kinlink_number is not None
    other_number = next(
        n for n in gateway.options.kinlink_numbers if n != conversation.kinlink_number
    )
    strangers = [
        ReceivedSms(f"SM{uuid4().hex}", "+13125550999", conversation.kinlink_number, "Hi", 1),
        ReceivedSms(f"SM{uuid4().hex}", PHONE, other_number, "Hi", 1),  # not this phone's number
    ]

    before = counted("not_routed")
    assert [receive_sms(gateway, sms) for sms in strangers] == [NOT_ROUTED, NOT_ROUTED]
    assert counted("not_routed") == before + 2
    assert [inbound(gateway, sms) for sms in strangers] == [None, None]
    assert outside.wallet.charged(family) == []


def test_a_reply_for_a_resident_whose_sms_are_off_costs_nothing(
    gateway: SmsGateway, outside: SmsOutside, family: UUID, conversation: SmsSubscription
) -> None:
    disable_sms(gateway, family, SMS_FACILITY, RESIDENT)
    sms = sms_to(conversation, "Still there?")

    assert receive_sms(gateway, sms) == TURNED_OFF
    assert inbound(gateway, sms) is None
    assert outside.wallet.charged(family) == []


def test_after_stop_a_reply_is_neither_answered_nor_charged_and_after_start_it_is_passed_on(
    gateway: SmsGateway, outside: SmsOutside, family: UUID, conversation: SmsSubscription
) -> None:
    assert receive_sms(gateway, sms_to(conversation, "Stop")) == STOPPED
    ignored = sms_to(conversation, "Are you there?")
    before = counted("opted_out")
    assert receive_sms(gateway, ignored) is None
    assert counted("opted_out") == before + 1
    assert inbound(gateway, ignored) is None
    assert outside.wallet.charged(family) == []

    assert receive_sms(gateway, sms_to(conversation, "START")) == STARTED
    passed = sms_to(conversation, "Back again")
    assert receive_sms(gateway, passed) is None
    assert inbound(gateway, passed).status is InboundStatus.PASSED_ON  # type: ignore[union-attr]
    assert outside.wallet.charged(family) == [Payment(f"sms:{passed.sid}", 5, 95)]
    assert [e.type for e in published_replies(gateway)] == ["SmsReplyReceived"]


def test_help_is_answered_with_the_facility_and_costs_nothing(
    gateway: SmsGateway, outside: SmsOutside, family: UUID, conversation: SmsSubscription
) -> None:
    answer = receive_sms(gateway, sms_to(conversation, "help"))

    assert answer is not None and "Texting County Jail's residents" in answer
    assert "Reply STOP to stop" in answer
    assert outside.wallet.charged(family) == []
    assert published_replies(gateway) == []


def test_a_reply_the_ledger_could_not_charge_is_passed_on_by_the_settle_sweep(
    gateway: SmsGateway,
    outside: SmsOutside,
    family: UUID,
    conversation: SmsSubscription,
    clock: Clock,
) -> None:
    sms = sms_to(conversation, "See you Sunday")
    outside.wallet.unreachable = True
    assert receive_sms(gateway, sms) is None
    assert inbound(gateway, sms).status is InboundStatus.RECEIVED  # type: ignore[union-attr]

    outside.wallet.unreachable = False
    clock.now += timedelta(minutes=5)
    settle_replies(gateway, timedelta(minutes=10))  # too young yet: only counted
    assert REGISTRY.get_sample_value("kinlink_sms_replies_awaiting_charge") == 1
    assert settle_replies(gateway, timedelta(minutes=5)) == 1
    assert receive_sms(gateway, sms) is None, "posted again: settled, nothing more"
    assert inbound(gateway, sms).status is InboundStatus.PASSED_ON  # type: ignore[union-attr]
    assert outside.wallet.charged(family) == [Payment(f"sms:{sms.sid}", 5, 95)]

"""An inbound SMS's rules: its id from Twilio's MessageSid, its price's items, and one outcome
only (passed on or refused), whatever is asked after."""

from __future__ import annotations

from datetime import UTC
from datetime import datetime
from datetime import timedelta
from datetime import timezone
from uuid import uuid4

from kinlink_sms.domain.inbound_sms import InboundSms
from kinlink_sms.domain.inbound_sms import InboundStatus
from kinlink_sms.domain.inbound_sms import RefusalReason
from kinlink_sms.domain.ports import ChargeItem
from kinlink_sms.domain.ports import ChargeKind
from kinlink_sms.domain.ports import Payment

AT = datetime(2026, 3, 2, 9, 30, tzinfo=timezone(timedelta(hours=-6)))
SID = "SM" + "a" * 32


def received(pictures: int = 0, sid: str = SID) -> InboundSms:
    return InboundSms(sid, uuid4(), "FAC-SMS", "R-1", "See you Sunday", 2, "gsm7", pictures, AT)


def test_the_same_message_sid_is_the_same_inbound_sms_and_another_is_not() -> None:
    assert received().id == received().id == InboundSms.create_id(SID)
    assert received(sid="SM" + "b" * 32).id != received().id


def test_it_is_received_at_the_utc_instant_and_costs_every_segment_and_picture() -> None:
    sms = received()
    assert (sms.status, sms.received_at) == (InboundStatus.RECEIVED, AT)
    assert sms.received_at.tzinfo is UTC
    assert sms.reference == f"sms:{SID}"
    assert sms.items == (ChargeItem(ChargeKind.SMS_SEGMENT, 2),)
    assert received(pictures=3).items == (
        ChargeItem(ChargeKind.SMS_SEGMENT, 2),
        ChargeItem(ChargeKind.MMS, 3),
    )


def test_passed_on_once_it_stays_passed_on() -> None:
    sms = received()
    sms.pass_on(Payment(sms.reference, 10, 90), AT)
    sms.pass_on(Payment(sms.reference, 99, 0), AT)
    sms.refuse(RefusalReason.INSUFFICIENT_CREDIT, AT)
    assert sms.status is InboundStatus.PASSED_ON
    assert (sms.payment_reference, sms.amount_cents, sms.refusal) == (sms.reference, 10, None)
    assert [type(e) for e in sms.collect_events()] == [InboundSms.Received, InboundSms.PassedOn]


def test_refused_it_stays_refused_and_is_never_passed_on() -> None:
    sms = received(pictures=1)
    sms.refuse(RefusalReason.MMS_UNAVAILABLE, AT)
    sms.pass_on(Payment(sms.reference, 10, 90), AT)
    assert (sms.status, sms.refusal) == (InboundStatus.REFUSED, RefusalReason.MMS_UNAVAILABLE)
    assert (sms.payment_reference, sms.amount_cents) == (None, 0)

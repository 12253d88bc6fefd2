"""An outbound SMS's rules without infrastructure: each attempt recorded before the carrier is
asked, retries with exponential backoff until the attempts run out, a number that cannot
receive SMS failed at once, one delivery charged once, and a SID learnt from a report."""

from __future__ import annotations

from datetime import UTC
from datetime import datetime
from datetime import timedelta
from uuid import uuid4

import pytest
from kinlink_sms.domain.outbound_sms import Failure
from kinlink_sms.domain.outbound_sms import OutboundSms
from kinlink_sms.domain.outbound_sms import OutboundStatus
from kinlink_sms.domain.outbound_sms import SmsContent
from kinlink_sms.domain.outbound_sms import retry_delay
from kinlink_sms.domain.ports import CarrierStatus
from kinlink_sms.domain.ports import Payment

NOW = datetime(2026, 11, 25, 18, 0, tzinfo=UTC)
CONTENT = SmsContent("+15551234567", "+15005550001", "Kinlink: Ada: Hi", 1, "gsm7", 0, 5)
ATTEMPTS = 4


def queued() -> OutboundSms:
    return OutboundSms.queue(uuid4(), "FAC-SMS", "R-1", uuid4(), NOW)


def sent(sms: OutboundSms, sid: str, at: datetime = NOW) -> OutboundSms:
    sms.start_attempt(CONTENT, at)
    sms.sent(sid, at)
    return sms


def test_one_message_is_one_sms_per_account() -> None:
    message, account = uuid4(), uuid4()
    assert OutboundSms.create_id(message, account) == OutboundSms.create_id(message, account)
    assert OutboundSms.create_id(message, account) != OutboundSms.create_id(message, uuid4())


def test_an_attempt_is_recorded_before_its_sid_then_delivered_and_paid_once() -> None:
    sms = queued()
    assert sms.due(NOW) and sms.callback_reference == f"sms:{sms.id}"
    sms.start_attempt(CONTENT, NOW)
    assert (sms.status, sms.attempt, sms.sid, sms.due(NOW)) == (
        OutboundStatus.SENDING,
        1,
        None,
        False,
    )
    sms.sent("SM1", NOW)
    assert (sms.status, sms.sid) == (OutboundStatus.SENT, "SM1")
    assert sms.report("SM1", CarrierStatus.DELIVERED, None, NOW, attempts=ATTEMPTS)
    assert sms.unpaid_delivery and sms.payment_reference == "sms:SM1"
    # The callback repeated: nothing new to charge.
    assert not sms.report("SM1", CarrierStatus.DELIVERED, None, NOW, attempts=ATTEMPTS)
    sms.pay(Payment("sms:SM1", 5, 95), NOW)
    sms.pay(Payment("sms:SM1", 5, 90), NOW)
    assert sms.payment == Payment("sms:SM1", 5, 95) and not sms.unpaid_delivery


def test_failed_attempts_are_retried_with_exponential_backoff_then_failed_for_good() -> None:
    sms, at = queued(), NOW
    for attempt in range(1, ATTEMPTS):
        sent(sms, f"SM{attempt}", at)
        sms.report(f"SM{attempt}", CarrierStatus.UNDELIVERED, 30008, at, attempts=ATTEMPTS)
        assert sms.status is OutboundStatus.QUEUED
        assert sms.next_attempt_at == at + timedelta(minutes=2 ** (attempt - 1))
        assert not sms.due(sms.next_attempt_at - timedelta(microseconds=1))
        at = sms.next_attempt_at
    sent(sms, "SM4", at)
    sms.report("SM4", CarrierStatus.FAILED, 30008, at, attempts=ATTEMPTS)
    assert (sms.status, sms.failure, sms.carrier_error_code) == (
        OutboundStatus.FAILED,
        Failure.CARRIER_ERROR,
        30008,
    )
    assert sms.payment is None
    # Failed for good: a late delivery report is not charged.
    assert not sms.report("SM4", CarrierStatus.DELIVERED, None, at, attempts=ATTEMPTS)
    assert retry_delay(1) == timedelta(minutes=1) and retry_delay(3) == timedelta(minutes=4)


@pytest.mark.parametrize(
    ("code", "failure"),
    [
        (30003, Failure.NUMBER_UNREACHABLE),
        (30005, Failure.NUMBER_UNREACHABLE),
        (30006, Failure.NUMBER_UNREACHABLE),
        (21614, Failure.NUMBER_UNREACHABLE),
        (21610, Failure.NUMBER_OPTED_OUT),
    ],
)
def test_a_number_that_cannot_receive_sms_fails_at_once(code: int, failure: Failure) -> None:
    sms = sent(queued(), "SM1")
    sms.report("SM1", CarrierStatus.UNDELIVERED, code, NOW, attempts=ATTEMPTS)
    assert (sms.status, sms.failure, sms.attempt) == (OutboundStatus.FAILED, failure, 1)
    refused = queued()
    refused.start_attempt(CONTENT, NOW)
    refused.attempt_failed(code, NOW, attempts=ATTEMPTS)  # the carrier refused the send
    assert (refused.status, refused.failure) == (OutboundStatus.FAILED, failure)


def test_an_earlier_attempts_late_failure_changes_nothing_its_late_delivery_counts_once() -> None:
    sms = sent(queued(), "SM1")
    sms.report("SM1", CarrierStatus.FAILED, 30008, NOW, attempts=ATTEMPTS)
    later = sms.next_attempt_at
    sent(sms, "SM2", later)
    sms.report("SM1", CarrierStatus.FAILED, 30008, later, attempts=ATTEMPTS)
    assert (sms.status, sms.sid, sms.attempt) == (OutboundStatus.SENT, "SM2", 2)
    assert sms.report("SM1", CarrierStatus.DELIVERED, None, later, attempts=ATTEMPTS)
    assert not sms.report("SM2", CarrierStatus.DELIVERED, None, later, attempts=ATTEMPTS)
    assert sms.payment_reference == "sms:SM1"


def test_a_sid_never_recorded_is_learnt_from_the_report_naming_the_sms() -> None:
    sms = queued()
    sms.start_attempt(CONTENT, NOW)  # the process died after the carrier took it
    assert sms.report("SM9", CarrierStatus.DELIVERED, None, NOW, attempts=ATTEMPTS)
    assert (sms.sids, sms.payment_reference) == (["SM9"], "sms:SM9")
    sms.sent("SM9", NOW)  # the dispatcher's record, arriving late, changes nothing
    assert sms.status is OutboundStatus.DELIVERED


def test_only_a_queued_sms_is_not_sent() -> None:
    sms = queued()
    sms.not_sent(Failure.INSUFFICIENT_CREDIT, NOW)
    assert (sms.status, sms.failure) == (OutboundStatus.NOT_SENT, Failure.INSUFFICIENT_CREDIT)
    under_way = sent(queued(), "SM1")
    under_way.not_sent(Failure.SMS_OFF, NOW)
    assert under_way.status is OutboundStatus.SENT

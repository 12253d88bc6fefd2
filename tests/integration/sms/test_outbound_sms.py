"""A resident's message to a family member's phone, on SQLite and on the real PostgreSQL: queued
once from MessageDelivered where SMS is on, sent by the dispatcher from the conversation's
Kinlink number, charged once when delivered and never for what was not, retried with backoff,
not sent without credit or to a number that cannot receive it."""

from __future__ import annotations

from datetime import timedelta
from uuid import uuid4

import pytest
from kinlink_contracts.messaging import MessageDirection
from kinlink_contracts.sms_consent import CURRENT_SMS_CONSENT_VERSION
from kinlink_kit.testing import Clock
from kinlink_sms.domain.outbound_sms import Failure
from kinlink_sms.domain.outbound_sms import OutboundSms
from kinlink_sms.domain.outbound_sms import OutboundStatus
from kinlink_sms.domain.phone_number import PhoneNumber
from kinlink_sms.domain.ports import CarrierStatus
from kinlink_sms.domain.ports import Payment
from kinlink_sms.domain.ports import StatusReport
from kinlink_sms.domain.subscription import SmsSubscription
from kinlink_sms.domain.subscription import SubscriptionStatus
from kinlink_sms.domain.verification import IssuedCode
from kinlink_sms.service_layer.dispatch_sms import dispatch_due
from kinlink_sms.service_layer.gateway import SmsGateway
from kinlink_sms.service_layer.sms_outcomes import record_sms_status

from tests.integration.sms.outbound import PHONE
from tests.integration.sms.outbound import delivered
from tests.integration.sms.outbound import family
from tests.integration.sms.outbound import handle
from tests.integration.sms.outbound import only
from tests.integration.sms.outbound import outbound_all
from tests.integration.sms.outbound import turned_on
from tests.sms_doubles import KINLINK_NUMBERS
from tests.sms_doubles import MMS_FACILITY
from tests.sms_doubles import NO_SMS_FACILITY
from tests.sms_doubles import RESIDENT
from tests.sms_doubles import SMS_FACILITY
from tests.sms_doubles import SmsOutside

# "Kinlink: Ada Lovelace: See you Sunday": one GSM-7 segment, 5 cents at FAC-SMS.
TEXT = "Kinlink: Ada Lovelace: See you Sunday"


def report(
    gateway: SmsGateway, sms: OutboundSms, status: CarrierStatus, code: int | None = None
) -> OutboundSms:
    """The carrier's status callback for the SMS's current SID."""
    sms = gateway.find(sms.id, OutboundSms) or sms
    assert sms.sid is not None
    return record_sms_status(gateway, sms.callback_reference, StatusReport(sms.sid, status, code))


def test_a_residents_message_is_queued_once_where_sms_is_on(
    gateway: SmsGateway, outside: SmsOutside
) -> None:
    account = family(outside)
    turned_on(gateway, account)
    envelope = delivered(gateway, outside, account)
    handle(gateway, envelope)  # the same event again
    queued = only(gateway, account)
    assert (queued.status, queued.facility_id, queued.resident_id) == (
        OutboundStatus.QUEUED,
        SMS_FACILITY,
        RESIDENT,
    )
    # Delivered again under another event id (messaging's outbox relayed it twice): one SMS.
    handle(gateway, envelope.model_copy(update={"event_id": uuid4()}))
    assert len(outbound_all(gateway)) == 1


def test_no_sms_for_a_collect_message_a_family_members_own_sms_off_or_a_facility_without_sms(
    gateway: SmsGateway, outside: SmsOutside
) -> None:
    account = family(outside)
    turned_on(gateway, account)
    delivered(gateway, outside, account, collect=True)
    delivered(gateway, outside, account, direction=MessageDirection.TO_RESIDENT)
    delivered(gateway, outside, family(outside))  # never turned SMS on
    elsewhere = family(outside)
    turned_on(gateway, elsewhere, facility_id=NO_SMS_FACILITY)
    delivered(gateway, outside, elsewhere, facility_id=NO_SMS_FACILITY)
    assert outbound_all(gateway) == []


def test_a_message_delivered_before_sms_went_on_is_not_texted(
    gateway: SmsGateway, outside: SmsOutside, clock: Clock
) -> None:
    account = family(outside)
    subscription = SmsSubscription.open(account, SMS_FACILITY, RESIDENT)
    code = IssuedCode.new()
    subscription.start_verification(
        PHONE, KINLINK_NUMBERS[0], CURRENT_SMS_CONSENT_VERSION, code, clock()
    )
    earlier = delivered(gateway, outside, account, "Before you asked")
    clock.now += timedelta(seconds=1)
    assert subscription.confirm(code.code, clock())
    gateway.store.save(subscription)

    # Messaging's event reaches the gateway only after SMS went on: still not texted.
    handle(gateway, earlier.model_copy(update={"event_id": uuid4()}))
    assert outbound_all(gateway) == []

    later = delivered(gateway, outside, account, "After")
    assert str(only(gateway, account).message_id) == str(later.payload["message_id"])


def test_sent_from_the_conversations_number_then_charged_once_when_delivered(
    gateway: SmsGateway, outside: SmsOutside
) -> None:
    account = family(outside)
    turned_on(gateway, account)
    delivered(gateway, outside, account)
    assert dispatch_due(gateway) == 1
    assert dispatch_due(gateway) == 0  # sent: not due again
    ((sid, sms_sent),) = outside.carrier.sent
    sms = only(gateway, account)
    assert (sms_sent.to, sms_sent.from_, sms_sent.body, sms_sent.media_urls) == (
        PHONE,
        KINLINK_NUMBERS[0],
        TEXT,
        (),
    )
    assert sms_sent.reference == f"sms:{sms.id}"
    assert (sms.status, sms.sid, sms.attempt) == (OutboundStatus.SENT, sid, 1)
    assert outside.wallet.charged(account) == []  # not before it is delivered
    for _ in range(3):  # the callback repeated
        report(gateway, sms, CarrierStatus.DELIVERED)
    assert outside.wallet.charged(account) == [Payment(f"sms:{sid}", 5, 95)]
    paid = only(gateway, account)
    assert (paid.status, paid.payment) == (OutboundStatus.DELIVERED, Payment(f"sms:{sid}", 5, 95))


def test_a_failed_sms_is_retried_with_backoff_under_a_new_sid_and_never_charged(
    gateway: SmsGateway, outside: SmsOutside, clock: Clock
) -> None:
    account = family(outside)
    turned_on(gateway, account)
    delivered(gateway, outside, account)
    for attempt in range(1, gateway.options.send_attempts + 1):
        assert dispatch_due(gateway) == 1
        sms = report(gateway, only(gateway, account), CarrierStatus.UNDELIVERED, 30008)
        assert sms.attempt == attempt
        if attempt < gateway.options.send_attempts:
            assert sms.status is OutboundStatus.QUEUED
            wait = timedelta(minutes=2 ** (attempt - 1))
            assert sms.next_attempt_at == clock.now + wait
            clock.now += wait - timedelta(seconds=1)
            assert dispatch_due(gateway) == 0  # not yet
            clock.now += timedelta(seconds=1)
    assert (sms.status, sms.failure) == (OutboundStatus.FAILED, Failure.CARRIER_ERROR)
    sids = [sid for sid, _ in outside.carrier.sent]
    assert len(set(sids)) == gateway.options.send_attempts
    # A late delivery of a failed SMS, the callbacks repeated: still nothing charged.
    report(gateway, sms, CarrierStatus.DELIVERED)
    report(gateway, sms, CarrierStatus.FAILED, 30008)
    assert outside.wallet.charged(account) == []
    assert outside.wallet.balance(account) == 100


def test_no_credit_nothing_sent_and_credit_counts_what_is_sent_but_not_yet_charged(
    gateway: SmsGateway, outside: SmsOutside
) -> None:
    broke = family(outside, cents=4)  # one segment costs 5
    turned_on(gateway, broke)
    delivered(gateway, outside, broke)
    assert dispatch_due(gateway) == 0
    refused = only(gateway, broke)
    assert (refused.status, refused.failure) == (
        OutboundStatus.NOT_SENT,
        Failure.INSUFFICIENT_CREDIT,
    )
    assert outside.carrier.sent == [] and outside.wallet.charged(broke) == []

    account = family(outside, cents=5)  # enough for one SMS
    turned_on(gateway, account)
    delivered(gateway, outside, account)
    delivered(gateway, outside, account)
    assert dispatch_due(gateway) == 1  # the second waits for no charge: it is not sent
    first, second = sorted(
        (sms for sms in outbound_all(gateway) if sms.account_id == account),
        key=lambda sms: sms.status.value,
    )
    assert (first.status, second.status) == (OutboundStatus.NOT_SENT, OutboundStatus.SENT)
    assert first.failure is Failure.INSUFFICIENT_CREDIT
    report(gateway, second, CarrierStatus.DELIVERED)
    assert outside.wallet.balance(account) == 0


@pytest.mark.parametrize("code", [30003, 30005, 30006, 21614])
def test_a_number_the_carrier_cannot_reach_is_marked_and_its_sms_turned_off(
    gateway: SmsGateway, outside: SmsOutside, code: int
) -> None:
    account = family(outside)
    subscription = turned_on(gateway, account)
    delivered(gateway, outside, account)
    dispatch_due(gateway)
    failed = report(gateway, only(gateway, account), CarrierStatus.UNDELIVERED, code)
    assert (failed.status, failed.failure, failed.carrier_error_code) == (
        OutboundStatus.FAILED,
        Failure.NUMBER_UNREACHABLE,
        code,
    )
    phone = gateway.find(PhoneNumber.create_id(PHONE), PhoneNumber)
    assert phone is not None and (phone.unreachable, phone.carrier_error_code) == (True, code)
    off = gateway.find(subscription.id, SmsSubscription)
    assert off is not None and off.status is SubscriptionStatus.OFF
    assert off.shown_off_reason == "number_unreachable"
    assert outside.wallet.charged(account) == []
    # Another family member following a resident on that phone: nothing more goes to it.
    other = family(outside)
    turned_on(gateway, other)
    delivered(gateway, outside, other)
    assert dispatch_due(gateway) == 0
    assert only(gateway, other).failure is Failure.NUMBER_UNREACHABLE
    assert len(outside.carrier.sent) == 1


def test_nothing_goes_to_a_number_that_opted_out_and_a_carrier_refusal_for_stop_marks_it(
    gateway: SmsGateway, outside: SmsOutside
) -> None:
    account = family(outside)
    turned_on(gateway, account)
    outside.carrier.refuse_with = 21610  # STOP reached the carrier, not us
    delivered(gateway, outside, account)
    dispatch_due(gateway)
    refused = only(gateway, account)
    assert (refused.status, refused.failure) == (OutboundStatus.FAILED, Failure.NUMBER_OPTED_OUT)
    phone = gateway.find(PhoneNumber.create_id(PHONE), PhoneNumber)
    assert phone is not None and phone.opted_out
    outside.carrier.refuse_with = None
    other = family(outside)
    turned_on(gateway, other)  # another family member on the same phone
    delivered(gateway, outside, other)
    dispatch_due(gateway)
    assert only(gateway, other).failure is Failure.NUMBER_OPTED_OUT
    assert outside.carrier.sent == []


def test_pictures_go_as_mms_where_the_facility_allows_them_elsewhere_a_note(
    gateway: SmsGateway, outside: SmsOutside
) -> None:
    texting, picturing = family(outside), family(outside)
    turned_on(gateway, texting)
    turned_on(gateway, picturing, facility_id=MMS_FACILITY, phone="+15551230002")
    delivered(gateway, outside, texting, pictures=2)
    delivered(gateway, outside, picturing, pictures=2, facility_id=MMS_FACILITY)
    assert dispatch_due(gateway) == 2
    text = outside.carrier.last_to(PHONE)
    assert (text.body, text.media_urls) == (f"{TEXT} (photo: read it on Kinlink)", ())
    mms = outside.carrier.last_to("+15551230002")
    assert mms.body == TEXT and len(mms.media_urls) == 2
    sms = report(gateway, only(gateway, picturing), CarrierStatus.DELIVERED)
    assert sms.payment == Payment(f"sms:{sms.sid}", 5 + 2 * 25, 45)
    assert outside.wallet.charged(picturing)[0].amount_cents == 55


def test_an_sms_the_carrier_refuses_is_failed_at_once_not_sent_again(
    gateway: SmsGateway, outside: SmsOutside, clock: Clock
) -> None:
    account = family(outside)
    turned_on(gateway, account)
    outside.carrier.refuse_with = 21617  # the text is too long for the carrier
    delivered(gateway, outside, account)
    dispatch_due(gateway)
    refused = only(gateway, account)
    assert (refused.status, refused.failure, refused.attempt) == (
        OutboundStatus.FAILED,
        Failure.CARRIER_ERROR,
        1,
    )
    clock.now += timedelta(hours=1)
    outside.carrier.refuse_with = None
    assert dispatch_due(gateway) == 0 and outside.carrier.sent == []


def test_a_message_longer_than_the_carrier_takes_is_cut_and_says_where_the_rest_is(
    gateway: SmsGateway, outside: SmsOutside
) -> None:
    account = family(outside, cents=1000)
    turned_on(gateway, account)
    delivered(gateway, outside, account, "😀" * 1000, pictures=1)  # 2,000 UTF-16 units
    dispatch_due(gateway)
    text = outside.carrier.last_to(PHONE).body
    assert len(text.encode("utf-16-le")) // 2 <= 1600
    assert text.startswith("Kinlink: Ada Lovelace: 😀😀")
    assert text.endswith("😀... (read the rest on Kinlink) (photo: read it on Kinlink)")
    sms = only(gateway, account)
    assert sms.content is not None and sms.content.body == text

"""What the carrier's callbacks did not settle, settled by the sweep, on SQLite and on the real
PostgreSQL: a lost callback asked about, a send whose answer never came tried again, a delivery
the ledger could not charge charged later, once; and what the outbox publishes of it all."""

from __future__ import annotations

from datetime import timedelta

from kinlink_contracts.envelope import Envelope
from kinlink_contracts.sms import SmsDelivered
from kinlink_contracts.sms import SmsEncoding
from kinlink_contracts.sms import SmsFailed
from kinlink_contracts.sms import SmsNotSent
from kinlink_contracts.sms import SmsSent
from kinlink_kit.testing import Clock
from kinlink_kit.testing import refused
from kinlink_sms.adapters.integration_events import SmsEventTranslator
from kinlink_sms.domain.outbound_sms import OutboundStatus
from kinlink_sms.domain.ports import CarrierStatus
from kinlink_sms.domain.ports import Payment
from kinlink_sms.domain.ports import StatusReport
from kinlink_sms.domain.ports import WalletUnavailable
from kinlink_sms.service_layer.dispatch_sms import dispatch_due
from kinlink_sms.service_layer.gateway import SmsGateway
from kinlink_sms.service_layer.settle_sms import settle_sms
from kinlink_sms.service_layer.sms_outcomes import record_sms_status
from prometheus_client import REGISTRY

from tests.integration.sms.outbound import delivered
from tests.integration.sms.outbound import family
from tests.integration.sms.outbound import only
from tests.integration.sms.outbound import sent_to_phone
from tests.integration.sms.outbound import turned_on
from tests.sms_doubles import SmsOutside

AFTER = timedelta(minutes=5)


def published(gateway: SmsGateway) -> list[Envelope]:
    translate = SmsEventTranslator(gateway.store)
    notifications = gateway.store.tracking.select_notifications(0, 1000, inclusive_of_start=False)
    messages = [translate(notification) for notification in notifications]
    return [Envelope.from_bytes(m.value) for m in messages if m is not None]


def test_a_lost_callback_is_asked_about_and_the_delivery_charged_once(
    gateway: SmsGateway, outside: SmsOutside, clock: Clock
) -> None:
    account, sid, _ = sent_to_phone(gateway, outside)
    outside.carrier.report(sid, CarrierStatus.DELIVERED)  # its callback never came
    clock.now += AFTER - timedelta(seconds=1)
    settle_sms(gateway, AFTER)
    assert only(gateway, account).status is OutboundStatus.SENT  # too soon to ask
    clock.now += timedelta(seconds=1)
    settle_sms(gateway, AFTER)
    settle_sms(gateway, AFTER)
    assert only(gateway, account).payment == Payment(f"sms:{sid}", 5, 95)
    assert outside.wallet.charged(account) == [Payment(f"sms:{sid}", 5, 95)]


def test_a_send_whose_answer_never_came_is_tried_again_and_its_late_report_taken(
    gateway: SmsGateway, outside: SmsOutside, clock: Clock
) -> None:
    account = family(outside)
    turned_on(gateway, account)
    delivered(gateway, outside, account)
    outside.carrier.unreachable = True
    dispatch_due(gateway)  # no answer: it may have gone out
    waiting = only(gateway, account)
    assert (waiting.status, waiting.attempt, waiting.sid) == (OutboundStatus.SENDING, 1, None)
    outside.carrier.unreachable = False
    assert dispatch_due(gateway) == 0  # never sent again behind the first send's back
    clock.now += AFTER
    settle_sms(gateway, AFTER)
    retrying = only(gateway, account)
    assert (retrying.status, retrying.next_attempt_at) == (
        OutboundStatus.QUEUED,
        clock.now + timedelta(minutes=1),
    )
    clock.now += timedelta(minutes=1)
    assert dispatch_due(gateway) == 1
    ((second_sid, _),) = outside.carrier.sent
    # The first send had gone out after all: its delivery is charged, the second's is not.
    first = record_sms_status(
        gateway, retrying.callback_reference, StatusReport("SMfirst", CarrierStatus.DELIVERED)
    )
    record_sms_status(
        gateway, retrying.callback_reference, StatusReport(second_sid, CarrierStatus.DELIVERED)
    )
    assert first.payment == Payment("sms:SMfirst", 5, 95)
    assert outside.wallet.charged(account) == [Payment("sms:SMfirst", 5, 95)]


def test_a_delivery_the_ledger_could_not_charge_is_charged_by_the_sweep_once(
    gateway: SmsGateway, outside: SmsOutside, clock: Clock
) -> None:
    account, sid, reference = sent_to_phone(gateway, outside)
    outside.wallet.unreachable = True
    with refused(WalletUnavailable, "wallet_unavailable"):
        record_sms_status(gateway, reference, StatusReport(sid, CarrierStatus.DELIVERED))
    assert only(gateway, account).unpaid_delivery
    clock.now += AFTER
    settle_sms(gateway, AFTER)  # still unreachable: waits
    assert outside.wallet.charged(account) == []
    outside.wallet.unreachable = False
    settle_sms(gateway, AFTER)
    settle_sms(gateway, AFTER)
    assert outside.wallet.charged(account) == [Payment(f"sms:{sid}", 5, 95)]
    assert not only(gateway, account).unpaid_delivery


def test_the_outbox_publishes_sent_delivered_failed_and_not_sent_without_phone_numbers(
    gateway: SmsGateway, outside: SmsOutside
) -> None:
    account, sid, reference = sent_to_phone(gateway, outside)
    record_sms_status(gateway, reference, StatusReport(sid, CarrierStatus.DELIVERED))
    delivered(gateway, outside, account)
    outside.carrier.refuse_with = 30006  # a landline
    dispatch_due(gateway)
    broke = family(outside, cents=0)
    turned_on(gateway, broke, phone="+15551230003")
    delivered(gateway, outside, broke)
    dispatch_due(gateway)

    events = published(gateway)
    assert all("+1555" not in envelope.to_bytes().decode() for envelope in events)
    outbound = [envelope for envelope in events if "sms_id" in envelope.payload]
    by_type = {envelope.type: envelope for envelope in outbound}
    assert sorted(envelope.type for envelope in outbound) == [
        "SmsDelivered",
        "SmsFailed",
        "SmsNotSent",
        "SmsSent",
    ]
    sent_event = SmsSent.model_validate(by_type["SmsSent"].payload)
    assert (sent_event.segments, sent_event.encoding, sent_event.attempt) == (
        1,
        SmsEncoding.GSM7,
        1,
    )
    paid = SmsDelivered.model_validate(by_type["SmsDelivered"].payload)
    assert (paid.amount_cents, paid.payment_reference, paid.account_id) == (
        5,
        f"sms:{sid}",
        account,
    )
    failed = SmsFailed.model_validate(by_type["SmsFailed"].payload)
    assert (failed.reason, failed.carrier_error_code) == ("number_unreachable", 30006)
    not_sent = SmsNotSent.model_validate(by_type["SmsNotSent"].payload)
    assert (not_sent.reason, not_sent.account_id) == ("insufficient_credit", broke)
    assert {envelope.key for envelope in outbound} == {paid.resident_id}


def test_credit_spent_before_the_delivery_leaves_it_unpaid_until_a_refill_then_charged_once(
    gateway: SmsGateway, outside: SmsOutside, clock: Clock
) -> None:
    account, sid, reference = sent_to_phone(gateway, outside)
    outside.wallet.balances[account] = 0  # a message the family member sent meanwhile
    unpaid_before = unpaid_count()
    record_sms_status(gateway, reference, StatusReport(sid, CarrierStatus.DELIVERED))
    sms = only(gateway, account)
    assert (sms.status, sms.payment, unpaid_count()) == (
        OutboundStatus.DELIVERED,
        None,
        unpaid_before + 1,
    )
    assert outside.wallet.charged(account) == []  # never below zero
    outside.wallet.fund(account, 100)
    clock.now += AFTER
    settle_sms(gateway, AFTER)
    settle_sms(gateway, AFTER)
    assert outside.wallet.charged(account) == [Payment(f"sms:{sid}", 5, 95)]


def unpaid_count() -> float:
    value = REGISTRY.get_sample_value("kinlink_sms_outbound_total", {"outcome": "unpaid"})
    return value or 0.0

"""STOP and START as a family phone texts them to its Kinlink number, then a resident's message
to that family member, through the dispatcher, on SQLite and on the real PostgreSQL: after STOP
nothing is sent nor charged; after START the next message is sent, and charged once delivered."""

from __future__ import annotations

from uuid import uuid4

from kinlink_sms.domain.ports import CarrierStatus
from kinlink_sms.domain.ports import Payment
from kinlink_sms.domain.ports import ReceivedSms
from kinlink_sms.domain.ports import StatusReport
from kinlink_sms.service_layer.dispatch_sms import dispatch_due
from kinlink_sms.service_layer.gateway import SmsGateway
from kinlink_sms.service_layer.handle_keyword import STARTED
from kinlink_sms.service_layer.handle_keyword import STOPPED
from kinlink_sms.service_layer.receive_sms import receive_sms
from kinlink_sms.service_layer.sms_outcomes import record_sms_status

from tests.integration.sms.outbound import delivered
from tests.integration.sms.outbound import family
from tests.integration.sms.subscribed import subscribed
from tests.sms_doubles import SMS_FACILITY
from tests.sms_doubles import SmsOutside

PHONE = "+13125550123"


def test_after_stop_a_residents_message_sends_and_charges_nothing_after_start_it_is_sent(
    gateway: SmsGateway, outside: SmsOutside
) -> None:
    account = family(outside)
    conversation = subscribed(gateway, outside, account, PHONE, SMS_FACILITY)
    assert conversation.kinlink_number is not None

    def texted(body: str) -> str | None:
        sms = ReceivedSms(f"SM{uuid4().hex}", PHONE, conversation.kinlink_number or "", body, 1)
        return receive_sms(gateway, sms)

    code_sms = list(outside.carrier.sent)  # the verification code
    assert texted("Stop") == STOPPED
    delivered(gateway, outside, account, "Are you there?")
    dispatch_due(gateway)
    assert outside.carrier.sent == code_sms, "nothing sent after STOP"
    assert outside.wallet.charged(account) == []

    assert texted("start") == STARTED
    delivered(gateway, outside, account, "Back again")
    assert dispatch_due(gateway) == 1
    ((sid, sms),) = outside.carrier.sent[len(code_sms) :]
    assert (sms.to, sms.from_, sms.body) == (
        PHONE,
        conversation.kinlink_number,
        "Kinlink: Ada Lovelace: Back again",
    )
    assert outside.wallet.charged(account) == [], "charged once delivered, not before"
    record_sms_status(gateway, sms.reference, StatusReport(sid, CarrierStatus.DELIVERED))
    assert outside.wallet.charged(account) == [Payment(f"sms:{sid}", 5, 95)]

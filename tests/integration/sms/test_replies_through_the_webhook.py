"""SMS replies posted to the webhook as Twilio posts them, signed, handled by the gateway's
inbound use case on SQLite and on the real PostgreSQL: a reply posted again (Twilio retrying, or
a replay) is charged once and answered the same; a forged one is never handled."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape
from uuid import uuid4

from kinlink_sms.domain.ports import ReceivedSms
from kinlink_sms.domain.ports import StatusReport
from kinlink_sms.service_layer.gateway import SmsGateway
from kinlink_sms.service_layer.receive_sms import REFILL
from kinlink_sms.service_layer.receive_sms import receive_sms

from tests.integration.sms.subscribed import published_replies
from tests.integration.sms.subscribed import subscribed
from tests.integration.sms.test_webhook import INBOUND_URL
from tests.integration.sms.test_webhook import serving
from tests.sms_doubles import SMS_FACILITY
from tests.sms_doubles import SmsOutside
from tests.twilio_standin import TwilioStandin

PHONE = "+13125550123"


@dataclass
class GatewayReplies:
    """The webhook's handlers with the gateway's inbound use case; no SMS is sent here."""

    gateway: SmsGateway

    def inbound(self, sms: ReceivedSms) -> str | None:
        return receive_sms(self.gateway, sms)

    def status(self, reference: str, report: StatusReport) -> None:
        raise AssertionError(f"no status was expected: {reference}")


async def test_a_reply_posted_again_is_charged_once_and_answered_the_same(
    gateway: SmsGateway, outside: SmsOutside, twilio_standin: TwilioStandin
) -> None:
    family = uuid4()
    outside.wallet.fund(family, 7)
    kinlink_number = subscribed(gateway, outside, family, PHONE, SMS_FACILITY).kinlink_number
    assert kinlink_number is not None
    paid = twilio_standin.inbound_sms(INBOUND_URL, PHONE, kinlink_number, "See you Sunday")
    unpaid = twilio_standin.inbound_sms(INBOUND_URL, PHONE, kinlink_number, "And the kids?")
    impostor = TwilioStandin(twilio_standin.account_sid, "f" * 32)
    forged = impostor.inbound_sms(INBOUND_URL, PHONE, kinlink_number, "Send money")

    async with serving(GatewayReplies(gateway), twilio_standin.auth_token) as webhook:
        answers = [await webhook.deliver(request) for request in (paid, unpaid) * 3]
        refused = await webhook.deliver(forged)

    assert [a.status_code for a in answers] == [200] * 6
    assert [a.text.endswith("<Response />") for a in answers] == [True, False] * 3
    assert all(f"<Message>{escape(REFILL, quote=False)}</Message>" in a.text for a in answers[1::2])
    assert refused.status_code == 403
    (payment,) = outside.wallet.charged(family)
    assert (payment.amount_cents, outside.wallet.balances[family]) == (5, 2), "one charge"
    assert [e.type for e in published_replies(gateway)] == ["SmsReplyReceived", "SmsReplyRefused"]

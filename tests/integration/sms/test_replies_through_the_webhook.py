"""SMS replies posted to the webhook as Twilio posts them, signed, handled by the gateway's
inbound use case on SQLite and on the real PostgreSQL: a reply posted again (Twilio retrying, or
a replay) is charged once and answered the same; a forged one is never handled. And the webhook
as the service runs it (its bootstrap), reaching the same use case."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape
from uuid import uuid4

from kinlink_kit.bus import InMemoryBus
from kinlink_kit.testing import eventually
from kinlink_kit.testing import free_port
from kinlink_kit.testing import serving
from kinlink_sms.bootstrap import SmsSettings
from kinlink_sms.bootstrap import sms_gateway_service
from kinlink_sms.domain.ports import ReceivedSms
from kinlink_sms.domain.ports import StatusReport
from kinlink_sms.service_layer.gateway import SmsGateway
from kinlink_sms.service_layer.receive_sms import REFILL
from kinlink_sms.service_layer.receive_sms import receive_sms
from pydantic import SecretStr

from tests.conftest import TokenKeys
from tests.integration.sms.subscribed import published_replies
from tests.integration.sms.subscribed import subscribed
from tests.integration.sms.test_webhook import INBOUND_URL
from tests.integration.sms.test_webhook import PUBLIC_URL
from tests.integration.sms.test_webhook import RecordingHandlers
from tests.integration.sms.test_webhook import Webhook
from tests.integration.sms.test_webhook import accepts_connections
from tests.integration.sms.test_webhook import serving as serving_webhook
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

    async with serving_webhook(GatewayReplies(gateway), twilio_standin.auth_token) as webhook:
        answers = [await webhook.deliver(request) for request in (paid, unpaid) * 3]
        refused = await webhook.deliver(forged)

    assert [a.status_code for a in answers] == [200] * 6
    assert [a.text.endswith("<Response />") for a in answers] == [True, False] * 3
    assert all(f"<Message>{escape(REFILL, quote=False)}</Message>" in a.text for a in answers[1::2])
    assert refused.status_code == 403
    (payment,) = outside.wallet.charged(family)
    assert (payment.amount_cents, outside.wallet.balances[family]) == (5, 2), "one charge"
    assert [e.type for e in published_replies(gateway)] == ["SmsReplyReceived", "SmsReplyRefused"]


async def test_the_service_as_it_runs_answers_a_reply_on_its_webhook(
    gateway: SmsGateway,
    sms_settings: SmsSettings,
    outside: SmsOutside,
    twilio_standin: TwilioStandin,
    token_keys: TokenKeys,
) -> None:
    family = uuid4()
    outside.wallet.fund(family, 100)
    kinlink_number = subscribed(gateway, outside, family, PHONE, SMS_FACILITY).kinlink_number
    assert kinlink_number is not None
    port = free_port()
    settings = sms_settings.model_copy(
        update={
            "twilio_account_sid": twilio_standin.account_sid,
            "twilio_auth_token": SecretStr(twilio_standin.auth_token),
            "twilio_api_base_url": twilio_standin.base_url,
            "sms_webhook_public_url": PUBLIC_URL,
            "sms_webhook_port": port,
        }
    )
    reply = twilio_standin.inbound_sms(INBOUND_URL, PHONE, kinlink_number, "See you Sunday")
    help_asked = twilio_standin.inbound_sms(INBOUND_URL, PHONE, kinlink_number, "HELP")
    bus = InMemoryBus()

    async with serving([sms_gateway_service(settings, bus, gateway)], bus, token_keys.verifier()):
        await eventually(lambda: accepts_connections(port))
        webhook = Webhook(port, RecordingHandlers())  # posts as Twilio does, to this port
        answers = [await webhook.deliver(request) for request in (reply, help_asked)]
        # Read before the service stops: it closes the gateway as a process does.
        published = [e.type for e in published_replies(gateway)]

    assert [a.status_code for a in answers] == [200, 200]
    assert answers[0].text.endswith("<Response />")
    assert "Reply STOP to stop" in answers[1].text
    (payment,) = outside.wallet.charged(family)
    assert payment.amount_cents == 5
    assert published == ["SmsReplyReceived"]

"""The webhook served by uvicorn, called as Twilio calls it: what is signed by the account's
auth token for the public URL reaches the handlers; nothing else does."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from dataclasses import field
from dataclasses import replace

import httpx
import pytest
from kinlink_kit.bus import InMemoryBus
from kinlink_kit.errors import NotFound
from kinlink_kit.errors import Unavailable
from kinlink_kit.runtime import ServiceParts
from kinlink_kit.testing import free_port
from kinlink_kit.testing import serving as serving_services
from kinlink_sms.domain.ports import CarrierStatus
from kinlink_sms.domain.ports import CarrierUnavailable
from kinlink_sms.domain.ports import ReceivedPicture
from kinlink_sms.domain.ports import ReceivedSms
from kinlink_sms.domain.ports import StatusReport
from kinlink_sms.entrypoints.webhook import WebhookServer
from kinlink_sms.entrypoints.webhook import create_webhook
from prometheus_client import REGISTRY
from structlog.testing import capture_logs

from tests.conftest import TokenKeys
from tests.twilio_standin import SignedRequest
from tests.twilio_standin import TwilioStandin
from tests.twilio_standin import post

PUBLIC_URL = "https://sms.kinlink.example"
INBOUND_URL = f"{PUBLIC_URL}/sms/inbound"
REFERENCE = "sms:2f1c5e0a-9b7d-4c3e-8a61-0d2b9e4f7a15"
STATUS_URL = f"{PUBLIC_URL}/sms/status/{REFERENCE}"
FAMILY_PHONE, KINLINK_NUMBER = "+12025550123", "+15005550006"
LONG_REPLY = "Love you \u2764\ufe0f see you Sunday! " * 3


@dataclass
class RecordingHandlers:
    reply: str | None = "Kinlink: your reply is on its way to Ada."
    failure: Exception | None = None
    received: list[ReceivedSms] = field(default_factory=list)
    statuses: list[tuple[str, StatusReport]] = field(default_factory=list)

    def inbound(self, sms: ReceivedSms) -> str | None:
        if self.failure:
            raise self.failure
        self.received.append(sms)
        return self.reply

    def status(self, reference: str, report: StatusReport) -> None:
        if self.failure:
            raise self.failure
        self.statuses.append((reference, report))


@dataclass
class Webhook:
    port: int
    handlers: RecordingHandlers

    @property
    def local_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def deliver(self, request: SignedRequest, url: str | None = None) -> httpx.Response:
        """Posts as Twilio would to the public URL, which leads here (a replay to `url`)."""
        return await post(request, (url or request.url).replace(PUBLIC_URL, self.local_url))


@asynccontextmanager
async def serving(handlers: RecordingHandlers, auth_token: str) -> AsyncIterator[Webhook]:
    """The webhook job running as a service's background job, cancelled on exit."""
    port = free_port()
    app = create_webhook(handlers, auth_token, PUBLIC_URL)
    job = asyncio.create_task(WebhookServer(app, "127.0.0.1", port, grace_seconds=5).run())
    try:
        while not await accepts_connections(port):
            assert not job.done(), job
        yield Webhook(port, handlers)
    finally:
        job.cancel()
        with pytest.raises(asyncio.CancelledError):
            await job


async def accepts_connections(port: int) -> bool:
    try:
        _, writer = await asyncio.open_connection("127.0.0.1", port)
    except OSError:
        await asyncio.sleep(0.02)
        return False
    writer.close()
    return True


@pytest.fixture
async def webhook(twilio_standin: TwilioStandin) -> AsyncIterator[Webhook]:
    async with serving(RecordingHandlers(), twilio_standin.auth_token) as served:
        yield served


def counted(route: str, outcome: str) -> float:
    return (
        REGISTRY.get_sample_value(
            "kinlink_sms_webhooks_total", {"route": route, "outcome": outcome}
        )
        or 0.0
    )


def sent_sms(standin: TwilioStandin) -> str:
    """A message the stand-in accepted, its status callback at STATUS_URL."""
    response = httpx.post(
        f"{standin.base_url}/2010-04-01/Accounts/{standin.account_sid}/Messages.json",
        data={
            "To": FAMILY_PHONE,
            "From": KINLINK_NUMBER,
            "Body": "Hi",
            "StatusCallback": STATUS_URL,
        },
        auth=(standin.account_sid, standin.auth_token),
    )
    return str(response.json()["sid"])


@pytest.mark.parametrize("as_json", [False, True], ids=["form", "json_body_sha256"])
async def test_a_signed_inbound_sms_reaches_the_handler_and_is_answered_in_twiml(
    webhook: Webhook, twilio_standin: TwilioStandin, as_json: bool
) -> None:
    picture = (
        "https://api.twilio.com/2010-04-01/Accounts/AC1/Messages/MM1/Media/ME1",
        "image/jpeg",
    )
    signed = twilio_standin.inbound_sms(
        INBOUND_URL,
        FAMILY_PHONE,
        KINLINK_NUMBER,
        LONG_REPLY,
        (picture,),
        as_json,
    )

    answer = await webhook.deliver(signed)

    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("application/xml")
    assert answer.text.endswith(
        "<Response><Message>Kinlink: your reply is on its way to Ada.</Message></Response>"
    )
    [sms] = webhook.handlers.received
    assert (sms.from_, sms.to, sms.body, sms.segments) == (
        FAMILY_PHONE,
        KINLINK_NUMBER,
        LONG_REPLY,
        2,  # 84 characters, emoji among them: UCS-2, 67 a part
    )
    assert sms.sid.startswith("MM") and len(sms.sid) == 34
    assert sms.pictures == (ReceivedPicture(*picture),)


async def test_no_reply_is_an_empty_twiml_answer(
    webhook: Webhook, twilio_standin: TwilioStandin
) -> None:
    webhook.handlers.reply = None

    answer = await webhook.deliver(
        twilio_standin.inbound_sms(INBOUND_URL, FAMILY_PHONE, KINLINK_NUMBER, "STOP")
    )

    assert answer.status_code == 200
    assert answer.text.endswith("<Response />")
    assert [sms.body for sms in webhook.handlers.received] == ["STOP"]


@pytest.mark.parametrize("as_json", [False, True], ids=["form", "json_body_sha256"])
async def test_a_signed_status_callback_reaches_the_handler_with_its_reference(
    webhook: Webhook, twilio_standin: TwilioStandin, as_json: bool
) -> None:
    sid = sent_sms(twilio_standin)

    answer = await webhook.deliver(
        twilio_standin.report_status(sid, "undelivered", error_code=30003, as_json=as_json)
    )

    assert answer.status_code == 204
    assert webhook.handlers.statuses == [
        (REFERENCE, StatusReport(sid, CarrierStatus.UNDELIVERED, 30003))
    ]


def bad_requests(standin: TwilioStandin, sid: str) -> dict[str, tuple[SignedRequest, str]]:
    """Requests Twilio did not send, each with where it is posted and why it is refused."""
    reply = standin.inbound_sms(INBOUND_URL, FAMILY_PHONE, KINLINK_NUMBER, "Hello")
    delivered = standin.report_status(sid, "delivered")
    as_json = standin.report_status(sid, "delivered", as_json=True)
    impostor = TwilioStandin(standin.account_sid, "f" * 32)  # the account's SID, not its token
    other_reference = f"{PUBLIC_URL}/sms/status/sms:00000000-0000-4000-8000-000000000000"
    unsigned_headers = {k: v for k, v in reply.headers.items() if k != "X-Twilio-Signature"}
    return {
        "unsigned": (replace(reply, headers=unsigned_headers), INBOUND_URL),
        "empty signature": (
            replace(reply, headers=reply.headers | {"X-Twilio-Signature": ""}),
            INBOUND_URL,
        ),
        "forged signature": (
            replace(reply, headers=reply.headers | {"X-Twilio-Signature": "c2lnbmVkIGJ5IG1l"}),
            INBOUND_URL,
        ),
        "wrong auth token": (
            impostor.inbound_sms(INBOUND_URL, FAMILY_PHONE, KINLINK_NUMBER, "Hello"),
            INBOUND_URL,
        ),
        "tampered body": (
            replace(reply, content=reply.content.replace(b"Hello", b"Send+%24")),
            INBOUND_URL,
        ),
        "added parameter": (replace(reply, content=reply.content + b"&NumMedia=1"), INBOUND_URL),
        "tampered status": (
            replace(delivered, content=delivered.content.replace(b"delivered", b"failed")),
            STATUS_URL,
        ),
        "replayed onto another reference": (delivered, other_reference),
        "replayed onto the inbound route": (delivered, INBOUND_URL),
        "signed for another host": (SignedRequest(*_signed_elsewhere(standin, sid)), STATUS_URL),
        "tampered json body": (
            replace(as_json, content=as_json.content.replace(b"delivered", b"failed")),
            as_json.url,
        ),
        "json without its body hash": (
            replace(as_json, url=as_json.url.split("?")[0]),
            as_json.url.split("?")[0],
        ),
        "json hash of another body": (
            replace(as_json, content=delivered.content),
            as_json.url,
        ),
    }


def _signed_elsewhere(standin: TwilioStandin, sid: str) -> tuple[str, dict[str, str], bytes]:
    """A callback signed for the webhook's local address rather than its public URL."""
    local = STATUS_URL.replace(PUBLIC_URL, "http://127.0.0.1:8090")
    elsewhere = standin.sign(local, {"MessageSid": sid, "MessageStatus": "delivered"})
    return STATUS_URL, elsewhere.headers, elsewhere.content


async def test_no_request_twilio_did_not_sign_for_that_url_and_body_is_accepted(
    webhook: Webhook, twilio_standin: TwilioStandin
) -> None:
    sid = sent_sms(twilio_standin)
    bad = bad_requests(twilio_standin, sid)
    accepted_before = counted("inbound", "accepted") + counted("status", "accepted")

    with capture_logs() as logs:
        answers = {
            name: await webhook.deliver(request, url) for name, (request, url) in bad.items()
        }

    assert {name: answer.status_code for name, answer in answers.items()} == {
        name: 403 for name in bad
    }
    assert webhook.handlers.received == [] and webhook.handlers.statuses == []
    accepted = counted("inbound", "accepted") + counted("status", "accepted") - accepted_before
    assert (accepted, len(bad)) == (0, 13)  # 0 accepted out of 13
    refusals = [line for line in logs if line["event"] == "sms webhook refused"]
    assert len(refusals) == len(bad)
    assert {line["reason"] for line in refusals} == {
        "unsigned",
        "signature_mismatch",
        "body_hash_missing",
        "body_hash_mismatch",
    }


async def test_refusals_are_counted_by_reason(
    webhook: Webhook, twilio_standin: TwilioStandin
) -> None:
    signed = twilio_standin.inbound_sms(INBOUND_URL, FAMILY_PHONE, KINLINK_NUMBER, "Hello")
    before = counted("inbound", "unsigned")

    answer = await webhook.deliver(replace(signed, headers={"Content-Type": "text/plain"}))

    assert answer.status_code == 403
    assert counted("inbound", "unsigned") == before + 1


@pytest.mark.parametrize(
    ("failure", "status_code", "outcome"),
    [
        (CarrierUnavailable(), 503, "unavailable"),
        (RuntimeError("bug"), 500, "failed"),
        (KeyError("bug"), 500, "failed"),  # not taken for a request Twilio got wrong
        (NotFound("outbound_sms_not_found", "No such SMS."), 400, "rejected"),
    ],
)
async def test_a_handler_that_cannot_take_it_now_asks_twilio_to_try_again_and_a_failure_is_told(
    webhook: Webhook,
    twilio_standin: TwilioStandin,
    failure: Exception,
    status_code: int,
    outcome: str,
) -> None:
    webhook.handlers.failure = failure
    before = counted("status", outcome)

    answer = await webhook.deliver(twilio_standin.report_status(sent_sms(twilio_standin), "sent"))

    assert answer.status_code == status_code
    assert counted("status", outcome) == before + 1
    assert isinstance(failure, Unavailable) == (status_code == 503)


async def test_a_signed_request_missing_what_twilio_documents_is_not_routed(
    webhook: Webhook, twilio_standin: TwilioStandin
) -> None:
    signed = twilio_standin.sign(INBOUND_URL, {"From": FAMILY_PHONE, "Body": "no sid, no To"})

    before = counted("inbound", "malformed")

    answer = await webhook.deliver(signed)

    assert answer.status_code == 400
    assert webhook.handlers.received == []
    assert counted("inbound", "malformed") == before + 1


async def test_a_stopped_webhook_listens_no_more_and_finishes_the_request_in_flight(
    twilio_standin: TwilioStandin,
) -> None:
    held, release = asyncio.Event(), asyncio.Event()
    loop = asyncio.get_running_loop()

    class HoldingHandlers(RecordingHandlers):
        def inbound(self, sms: ReceivedSms) -> str | None:
            loop.call_soon_threadsafe(held.set)
            asyncio.run_coroutine_threadsafe(release.wait(), loop).result()
            return super().inbound(sms)

    async def release_once_closed(port: int) -> None:
        while await accepts_connections(port):
            await asyncio.sleep(0.02)
        release.set()

    handlers = HoldingHandlers()
    async with serving(handlers, twilio_standin.auth_token) as hook:
        signed = twilio_standin.inbound_sms(INBOUND_URL, FAMILY_PHONE, KINLINK_NUMBER, "Hi")
        in_flight = asyncio.create_task(hook.deliver(signed))
        await held.wait()
        releasing = asyncio.create_task(release_once_closed(hook.port))
    # Leaving `serving` cancelled the job: it stopped listening, then the request finished.
    await releasing

    assert (await in_flight).status_code == 200
    assert [sms.body for sms in handlers.received] == ["Hi"]
    with pytest.raises(httpx.ConnectError):
        await hook.deliver(signed)


async def test_the_webhook_runs_as_a_services_background_job_and_stops_with_it(
    twilio_standin: TwilioStandin, token_keys: TokenKeys
) -> None:
    handlers, port = RecordingHandlers(), free_port()
    app = create_webhook(handlers, twilio_standin.auth_token, PUBLIC_URL)
    job = WebhookServer(app, "127.0.0.1", port, grace_seconds=1).run
    parts = ServiceParts(name="sms-gateway", grpc=[], background=[job])
    hook = Webhook(port, handlers)

    async with serving_services([parts], InMemoryBus(), token_keys.verifier()):
        while not await accepts_connections(port):
            pass
        answer = await hook.deliver(
            twilio_standin.inbound_sms(INBOUND_URL, FAMILY_PHONE, KINLINK_NUMBER, "Hi")
        )

    assert answer.status_code == 200
    assert [sms.body for sms in handlers.received] == ["Hi"]
    assert not await accepts_connections(port)

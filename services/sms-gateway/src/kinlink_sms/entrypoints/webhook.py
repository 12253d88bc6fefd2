"""Twilio's webhooks: the SMS phones send to the Kinlink numbers, and the status callbacks of
the SMS the gateway sent. A small ASGI app, served beside the gRPC API by the kit's
`WebhookServer`.

Every request must carry Twilio's `X-Twilio-Signature` over the URL Twilio called (the
configured public URL and the path and query asked) and its form parameters, or, for a JSON
body, over the URL whose `bodySHA256` is the body's SHA-256. Anything else is refused with 403,
logged and counted, and never reaches a handler: a forged "delivered" would charge a family,
a forged reply would reach a resident.

A verified request is read into `ReceivedSms` or a `StatusReport` and given to the handlers,
synchronous use cases run in a worker thread. A handler that cannot reach what it needs
(`Unavailable`) gets a 503, and Twilio tries again; one refusing what it was given (another
`ClientError`, e.g. a reference naming no SMS of ours) a 400.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable
from collections.abc import Callable
from collections.abc import Coroutine
from collections.abc import Mapping
from typing import Any
from typing import Protocol
from typing import TypeVar
from urllib.parse import parse_qs
from urllib.parse import parse_qsl

from kinlink_kit.errors import ClientError
from kinlink_kit.errors import Unavailable
from kinlink_kit.logging import get_logger
from kinlink_kit.metrics import SMS_WEBHOOKS
from kinlink_kit.webhook_server import Refused
from kinlink_kit.webhook_server import WebhookServer
from kinlink_kit.webhook_server import bounded_body
from starlette.applications import Starlette
from starlette.datastructures import ImmutableMultiDict
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from twilio.request_validator import RequestValidator
from twilio.twiml.messaging_response import MessagingResponse

from kinlink_sms.adapters.simulated_carrier import SimulatedCarrier
from kinlink_sms.adapters.twilio_carrier import carrier_status
from kinlink_sms.adapters.twilio_settings import INBOUND_ROUTE
from kinlink_sms.adapters.twilio_settings import STATUS_ROUTE
from kinlink_sms.adapters.twilio_settings import TwilioSettings
from kinlink_sms.domain.ports import Carrier
from kinlink_sms.domain.ports import ReceivedPicture
from kinlink_sms.domain.ports import ReceivedSms
from kinlink_sms.domain.ports import StatusReport

log = get_logger(__name__)

SIGNATURE_HEADER = "X-Twilio-Signature"
MAX_BODY_BYTES = 64 * 1024  # Twilio's webhooks are a few hundred bytes; an SMS at most 1600 chars
Params = Mapping[str, str]
Report = TypeVar("Report", ReceivedSms, StatusReport)


class WebhookHandlers(Protocol):
    def inbound(self, sms: ReceivedSms) -> str | None:
        """Takes an SMS a phone sent to a Kinlink number; returns the text to answer it with,
        or None."""
        ...

    def status(self, reference: str, report: StatusReport) -> None:
        """Takes what the carrier reports of the SMS sent for `reference`."""
        ...


class _Verifier:
    def __init__(self, auth_token: str, public_url: str) -> None:
        self._validator = RequestValidator(auth_token)
        self._public_url = public_url.rstrip("/")

    async def params(self, request: Request) -> Params:
        """The request's parameters once its signature holds; else `Refused`."""
        signature = request.headers.get(SIGNATURE_HEADER)
        body = await bounded_body(request, MAX_BODY_BYTES)
        if not signature:
            raise Refused("unsigned")
        query = request.scope["query_string"].decode("latin-1")
        # Twilio signs the URL it called: ours as the world sees it, the path as it was sent.
        url = self._public_url + request.scope["raw_path"].decode("latin-1")
        url += f"?{query}" if query else ""
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            raise Refused("unreadable") from None
        if request.headers.get("content-type", "").startswith("application/json"):
            return self._json_params(url, query, text, signature)
        form = ImmutableMultiDict(parse_qsl(text, keep_blank_values=True))
        if not self._validator.validate(url, form, signature):
            raise Refused("signature_mismatch")
        return {name: form[name] for name in form}

    def _json_params(self, url: str, query: str, text: str, signature: str) -> Params:
        body_hashes = parse_qs(query).get("bodySHA256")
        if not body_hashes:
            raise Refused("body_hash_missing")  # the signature would not cover the body
        if not self._validator.validate(url, text, signature):
            matches = self._validator.compute_hash(text) == body_hashes[0]
            raise Refused("signature_mismatch" if matches else "body_hash_mismatch")
        try:
            params = json.loads(text)
        except ValueError:
            raise Refused("malformed", 400) from None
        if not isinstance(params, dict):
            raise Refused("malformed", 400)
        return {name: str(value) for name, value in params.items()}


def _read(read: Callable[[Params], Report], params: Params) -> Report:
    try:
        return read(params)
    except (KeyError, ValueError):  # signed by Twilio, yet not what it documents
        raise Refused("malformed", 400) from None


def _received_sms(params: Params) -> ReceivedSms:
    pictures = tuple(
        ReceivedPicture(params[f"MediaUrl{index}"], params.get(f"MediaContentType{index}", ""))
        for index in range(int(params.get("NumMedia") or 0))
    )
    return ReceivedSms(
        sid=params["MessageSid"],
        from_=params["From"],
        to=params["To"],
        body=params.get("Body", ""),
        segments=int(params.get("NumSegments") or 1),
        pictures=pictures,
    )


def _status_report(params: Params) -> StatusReport:
    error_code = params.get("ErrorCode")
    return StatusReport(
        sid=params["MessageSid"],
        status=carrier_status(params["MessageStatus"]),
        error_code=int(error_code) if error_code else None,
    )


def _twiml(reply: str | None) -> Response:
    answer = MessagingResponse()
    if reply:
        answer.message(reply)
    return Response(str(answer), media_type="application/xml")


def create_webhook(handlers: WebhookHandlers, auth_token: str, public_url: str) -> Starlette:
    """The webhook app; `public_url` is where Twilio reaches it (what Twilio signs)."""
    verifier = _Verifier(auth_token, public_url)

    def route(
        name: str, handle: Callable[[Request, Params], Awaitable[Response]]
    ) -> Callable[[Request], Awaitable[Response]]:
        async def endpoint(request: Request) -> Response:
            try:
                params = await verifier.params(request)
                answer = await handle(request, params)
            except Refused as refused:
                return _refusal(name, refused, request)
            except Unavailable as unavailable:
                log.warning("sms webhook handler unavailable", route=name, code=unavailable.code)
                return _counted(name, "unavailable", Response(status_code=503))
            except ClientError as refusal:  # e.g. a reference naming no SMS of ours
                log.warning("sms webhook handler refused", route=name, code=refusal.code)
                return _counted(name, "rejected", Response(status_code=400))
            except Exception:
                log.exception("sms webhook handler failed", route=name)
                return _counted(name, "failed", Response(status_code=500))
            return _counted(name, "accepted", answer)

        return endpoint

    async def inbound(request: Request, params: Params) -> Response:
        sms = _read(_received_sms, params)
        return _twiml(await asyncio.to_thread(handlers.inbound, sms))

    async def status(request: Request, params: Params) -> Response:
        report = _read(_status_report, params)
        await asyncio.to_thread(handlers.status, request.path_params["reference"], report)
        return Response(status_code=204)

    return Starlette(
        routes=[
            Route(INBOUND_ROUTE, route("inbound", inbound), methods=["POST"]),
            Route(STATUS_ROUTE, route("status", status), methods=["POST"]),
        ]
    )


def _refusal(route: str, refused: Refused, request: Request) -> Response:
    client = request.client.host if request.client else None
    log.warning("sms webhook refused", route=route, reason=refused.reason, client=client)
    return _counted(route, refused.reason, Response(status_code=refused.status_code))


def _counted(route: str, outcome: str, response: Response) -> Response:
    SMS_WEBHOOKS.labels(route, outcome).inc()
    return response


def carrier_jobs(
    settings: TwilioSettings, carrier: Carrier, handlers: WebhookHandlers
) -> list[Callable[[], Coroutine[Any, Any, None]]]:
    """The background jobs through which the carrier's reports reach `handlers`: the webhook
    Twilio calls for the configured account; without one, the simulated carrier's own reports
    (no phone can text it), or none for a carrier the caller gave (tests)."""
    account = settings.twilio_account()
    if account is not None:
        app = create_webhook(handlers, account.auth_token, account.webhook_public_url)
        port, grace = settings.sms_webhook_port, settings.shutdown_grace_seconds
        return [WebhookServer(app, settings.sms_webhook_host, port, grace).run]
    if isinstance(carrier, SimulatedCarrier):
        return [carrier.reporting(handlers.status)]
    return []

"""A local stand-in for Twilio's Messages API, and the webhooks Twilio sends, for the SMS tests.

An HTTP server in a thread of the test process. It checks every request as Twilio does: HTTP
Basic auth with the account SID and auth token, the account in the path, a form body with
E.164 `To` and `From`, a `Body` or `MediaUrl`, absolute `StatusCallback` and media URLs; and
refuses a wrong one as Twilio does (its JSON error with `code`, `message`, `more_info`,
`status`). It records what it accepted, answers with Twilio's message resource, serves it on
GET, serves the pictures phones sent (MMS media, under the same Basic auth), and sends status
callbacks and inbound SMS to a URL, signed with the auth token by Twilio's algorithm
(`RequestValidator.compute_signature`), form-encoded or as JSON with the `bodySHA256` query
parameter.

No maintained Twilio mock exists on the registries; this one covers what the gateway uses.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import secrets
import threading
from collections.abc import Iterator
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler
from http.server import ThreadingHTTPServer
from urllib.parse import parse_qs
from urllib.parse import urlencode
from urllib.parse import urlsplit

import httpx
import pytest
from kinlink_sms.adapters.simulated_carrier import TEST_NUMBERS
from kinlink_sms.adapters.simulated_carrier import TWILIO_ERRORS
from kinlink_sms.adapters.twilio_settings import TwilioAccount
from kinlink_sms.domain.segments import count_segments
from twilio.request_validator import RequestValidator

API_VERSION = "2010-04-01"
E164 = re.compile(r"\+[1-9]\d{6,14}")
MESSAGES = re.compile(rf"/{API_VERSION}/Accounts/(?P<account>[^/]+)/Messages\.json")
MESSAGE = re.compile(rf"/{API_VERSION}/Accounts/(?P<account>[^/]+)/Messages/(?P<sid>[^/]+)\.json")
MEDIA = re.compile(
    rf"/{API_VERSION}/Accounts/(?P<account>[^/]+)/Messages/(?P<sid>[^/]+)/Media/(?P<media>[^/]+)"
)
MAX_BODY = 1600  # characters of a whole message, Twilio's limit
MAX_MEDIA = 10


def new_sid(prefix: str) -> str:
    return prefix + secrets.token_hex(16)


@dataclass
class StandinMessage:
    """A message as the stand-in accepted it."""

    sid: str
    account_sid: str
    to: str
    from_: str
    body: str
    media_urls: tuple[str, ...]
    status_callback: str | None
    num_segments: int
    status: str = "queued"
    error_code: int | None = None
    date_created: str = field(default_factory=lambda: formatdate(usegmt=True))

    def resource(self) -> dict[str, object]:
        """The message as Twilio's API answers with it."""
        uri = f"/{API_VERSION}/Accounts/{self.account_sid}/Messages/{self.sid}.json"
        return {
            "account_sid": self.account_sid,
            "api_version": API_VERSION,
            "body": self.body,
            "date_created": self.date_created,
            "date_sent": None,
            "date_updated": self.date_created,
            "direction": "outbound-api",
            "error_code": self.error_code,
            "error_message": None,
            "from": self.from_,
            "messaging_service_sid": None,
            "num_media": str(len(self.media_urls)),
            "num_segments": str(self.num_segments),
            "price": None,
            "price_unit": "USD",
            "sid": self.sid,
            "status": self.status,
            "subresource_uris": {"media": uri.replace(".json", "/Media.json")},
            "to": self.to,
            "uri": uri,
        }


class TwilioError(Exception):
    def __init__(self, status: int, code: int, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message

    def body(self) -> dict[str, object]:
        return {
            "code": self.code,
            "message": self.message,
            "more_info": f"https://www.twilio.com/docs/errors/{self.code}",
            "status": self.status,
        }


@dataclass(frozen=True)
class SignedRequest:
    """A webhook request as Twilio would send it: a test may change any part before posting."""

    url: str
    headers: dict[str, str]
    content: bytes


class TwilioStandin:
    def __init__(self, account_sid: str | None = None, auth_token: str | None = None) -> None:
        self.account_sid = account_sid or new_sid("AC")
        self.auth_token = auth_token or secrets.token_hex(16)
        self.messages: dict[str, StandinMessage] = {}
        self.refusals: list[TwilioError] = []  # every request refused, in order
        # Numbers refused with these codes, as Twilio's test numbers are (see `refuse`).
        self.refusing: dict[str, int] = {}
        # The pictures phones sent, by media path: their bytes and content type.
        self.media: dict[str, tuple[bytes, str]] = {}
        self._next_failures: list[TwilioError] = []
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def account(self, webhook_public_url: str, timeout_seconds: float = 5.0) -> TwilioAccount:
        """The gateway's settings for this account, its API calls made to the stand-in."""
        return TwilioAccount(
            sid=self.account_sid,
            auth_token=self.auth_token,
            api_base_url=self.base_url,
            webhook_public_url=webhook_public_url,
            timeout_seconds=timeout_seconds,
        )

    def start(self) -> TwilioStandin:
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stops answering: its port refuses connections from now on."""
        if not self._thread.is_alive():
            return
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()

    def refuse(self, to: str, code: int) -> None:
        """SMS to `to` are refused with Twilio's error `code` (21610 opted out, 21614 not a
        mobile...), as Twilio's magic test numbers are."""
        self.refusing[to] = code

    def fail_next(self, status: int, code: int, message: str) -> None:
        """The next Messages API call gets this error, whatever it asks (a 5xx, a 429)."""
        with self._lock:
            self._next_failures.append(TwilioError(status, code, message))

    def keep_media(self, content: bytes, content_type: str) -> str:
        """A picture a phone sent, served from now on at the URL returned (MediaUrlN)."""
        path = f"/{API_VERSION}/Accounts/{self.account_sid}/Messages/{new_sid('MM')}/Media/"
        path += new_sid("ME")
        self.media[path] = (content, content_type)
        return self.base_url + path

    def _picture(self, path: str, authorization: str | None) -> tuple[int, str, bytes]:
        """A picture's bytes and content type, to the account's credentials only."""
        try:
            route = MEDIA.fullmatch(path)
            if self._authenticated(authorization) != (route and route["account"]):
                raise TwilioError(401, 20003, "Authenticate")
            if path not in self.media:
                raise TwilioError(404, 20404, f"The requested resource {path} was not found")
        except TwilioError as error:
            self.refusals.append(error)
            return error.status, "application/json", json.dumps(error.body()).encode()
        content, content_type = self.media[path]
        return 200, content_type, content

    # The Messages API.

    def _create(self, account: str, form: Mapping[str, list[str]]) -> StandinMessage:
        def one(name: str) -> str | None:
            values = form.get(name)
            return values[-1] if values else None

        to, from_, body = one("To"), one("From"), one("Body") or ""
        media = tuple(form.get("MediaUrl", ()))
        callback = one("StatusCallback")
        if not to:
            raise TwilioError(400, 21604, "A 'To' phone number is required.")
        if not from_:
            raise TwilioError(400, 21603, "A 'From' phone number is required.")
        if not body and not media:
            raise TwilioError(400, 21602, "Message body is required.")
        if not E164.fullmatch(to):
            raise TwilioError(400, 21211, f"The 'To' number {to} is not a valid phone number.")
        if not E164.fullmatch(from_):
            raise TwilioError(400, 21212, f"The 'From' number {from_} is not a valid number.")
        if len(body) > MAX_BODY:
            raise TwilioError(400, 21617, "The concatenated message body exceeds the 1600 limit.")
        if len(media) > MAX_MEDIA:
            raise TwilioError(400, 21623, "The number of media files exceeds the limit of 10.")
        if any(not _absolute_http(url) for url in media):
            raise TwilioError(400, 21620, "Invalid media URL(s).")
        if callback is not None and not _absolute_http(callback):
            raise TwilioError(400, 21609, "The StatusCallback URL is not a valid URL.")
        refusal = self.refusing.get(to, TEST_NUMBERS.get(to))
        if refusal is not None:
            raise TwilioError(400, refusal, TWILIO_ERRORS.get(refusal, "Refused."))
        message_ = StandinMessage(
            sid=new_sid("MM" if media else "SM"),
            account_sid=account,
            to=to,
            from_=from_,
            body=body,
            media_urls=media,
            status_callback=callback,
            num_segments=max(1, count_segments(body).segments),  # a picture alone is one
        )
        with self._lock:
            self.messages[message_.sid] = message_
        return message_

    def _answer(
        self, method: str, path: str, authorization: str | None, content_type: str, body: bytes
    ) -> tuple[int, dict[str, object]]:
        try:
            with self._lock:
                if self._next_failures:
                    raise self._next_failures.pop(0)
            account = self._authenticated(authorization)
            route = MESSAGES.fullmatch(path) or MESSAGE.fullmatch(path)
            if route and route["account"] != account:  # another account's messages
                raise TwilioError(401, 20003, "Authenticate")
            if method == "POST" and route and route.re is MESSAGES:
                if content_type.split(";")[0].strip() != "application/x-www-form-urlencoded":
                    raise TwilioError(400, 21601, "The request's body must be form-encoded.")
                form = parse_qs(body.decode("utf-8"), keep_blank_values=True, strict_parsing=False)
                return 201, self._create(account, form).resource()
            if method == "GET" and route and route.re is MESSAGE and route["sid"] in self.messages:
                return 200, self.messages[route["sid"]].resource()
            raise TwilioError(404, 20404, f"The requested resource {path} was not found")
        except TwilioError as error:
            self.refusals.append(error)
            return error.status, error.body()

    def _authenticated(self, authorization: str | None) -> str:
        scheme, _, encoded = (authorization or "").partition(" ")
        try:
            user, _, password = base64.b64decode(encoded).decode().partition(":")
        except ValueError:
            user, password = "", ""
        if scheme != "Basic" or not (
            secrets.compare_digest(user, self.account_sid)
            and secrets.compare_digest(password, self.auth_token)
        ):
            raise TwilioError(401, 20003, "Authenticate")
        return user

    # The webhooks Twilio sends.

    def sign(self, url: str, params: Mapping[str, str], as_json: bool = False) -> SignedRequest:
        """A webhook to `url` signed with the auth token, form-encoded or as JSON (then the URL
        carries the body's SHA-256 and the signature covers the URL alone)."""
        validator = RequestValidator(self.auth_token)
        if as_json:
            content = json.dumps(dict(params)).encode()
            url = (
                f"{url}{'&' if '?' in url else '?'}bodySHA256={hashlib.sha256(content).hexdigest()}"
            )
            signature = validator.compute_signature(url, {})
            content_type = "application/json"
        else:
            content = urlencode(params).encode()
            signature = validator.compute_signature(url, dict(params))
            content_type = "application/x-www-form-urlencoded"
        headers = {"Content-Type": content_type, "X-Twilio-Signature": signature}
        return SignedRequest(url, headers, content)

    def report_status(
        self, sid: str, status: str, error_code: int | None = None, as_json: bool = False
    ) -> SignedRequest:
        """The status callback of message `sid` (to its StatusCallback), its status updated."""
        message = self.messages[sid]
        assert message.status_callback, f"{sid} was sent without a StatusCallback"
        message.status, message.error_code = status, error_code
        params = {
            "AccountSid": self.account_sid,
            "ApiVersion": API_VERSION,
            "From": message.from_,
            "MessageSid": sid,
            "MessageStatus": status,
            "SmsSid": sid,
            "SmsStatus": status,
            "To": message.to,
        }
        if error_code is not None:
            params["ErrorCode"] = str(error_code)
        return self.sign(message.status_callback, params, as_json)

    def inbound_sms(
        self,
        url: str,
        from_: str,
        to: str,
        body: str,
        media: tuple[tuple[str, str], ...] = (),
        as_json: bool = False,
    ) -> SignedRequest:
        """An SMS (MMS with `media`, each a URL and its content type) a phone sent to a Kinlink
        number, as Twilio posts it to the number's webhook `url`, its segments counted."""
        sid = new_sid("MM" if media else "SM")
        params = {
            "AccountSid": self.account_sid,
            "ApiVersion": API_VERSION,
            "Body": body,
            "From": from_,
            "MessageSid": sid,
            "NumMedia": str(len(media)),
            "NumSegments": str(max(1, count_segments(body).segments)),
            "SmsMessageSid": sid,
            "SmsSid": sid,
            "SmsStatus": "received",
            "To": to,
        }
        for index, (media_url, content_type) in enumerate(media):
            params[f"MediaUrl{index}"] = media_url
            params[f"MediaContentType{index}"] = content_type
        return self.sign(url, params, as_json)


async def post(request: SignedRequest, url: str | None = None) -> httpx.Response:
    """Posts a webhook as Twilio would (to `url` instead when given: a replay elsewhere)."""
    async with httpx.AsyncClient(timeout=10) as client:
        return await client.post(
            url or request.url, content=request.content, headers=request.headers
        )


def _absolute_http(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def _handler_for(standin: TwilioStandin) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length)
            path = urlsplit(self.path).path
            if self.command == "GET" and MEDIA.fullmatch(path):
                status, content_type, content = standin._picture(
                    path, self.headers.get("Authorization")
                )
            else:
                status, answer = standin._answer(
                    self.command,
                    path,
                    self.headers.get("Authorization"),
                    self.headers.get("Content-Type") or "",
                    body,
                )
                content_type = "application/json; charset=utf-8"
                content = json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(content)))
            self.end_headers()
            self.wfile.write(content)

        do_GET = do_POST = _serve

        def log_message(self, format: str, *args: object) -> None:
            pass  # the tests read what it recorded, not its access log

    return Handler


@pytest.fixture
def twilio_standin() -> Iterator[TwilioStandin]:
    """A Twilio stand-in with its own account SID and auth token, serving on a free port."""
    standin = TwilioStandin().start()
    yield standin
    standin.stop()

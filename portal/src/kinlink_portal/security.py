"""What every response carries to keep the browser on our side (security headers, a strict
Content-Security-Policy), and the check every form submission passes (its CSRF token)."""

from __future__ import annotations

import secrets
from collections.abc import AsyncGenerator
from collections.abc import Awaitable
from collections.abc import Callable
from urllib.parse import parse_qs

from starlette.datastructures import Headers
from starlette.datastructures import MutableHeaders
from starlette.formparsers import MultiPartException
from starlette.formparsers import MultiPartParser
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.responses import Response
from starlette.types import ASGIApp
from starlette.types import Message
from starlette.types import Receive
from starlette.types import Scope
from starlette.types import Send

# Only our own files: no inline script or style, no other site's, no framing (clickjacking), and
# forms post only to us.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
    "base-uri 'none'; object-src 'none'"
)
# Stripe's documented hosts for Stripe.js and its Elements (its script, the iframes holding the
# card fields, the bank's check of a payment, its API): allowed only where the portal uses Stripe.js
# (decisions 0025 and 0027).
STRIPE_CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self' https://js.stripe.com https://*.js.stripe.com; "
    "style-src 'self'; img-src 'self'; font-src 'self'; "
    "connect-src 'self' https://api.stripe.com; "
    "frame-src https://js.stripe.com https://*.js.stripe.com https://hooks.stripe.com; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
)
# No page uses the camera or microphone but the video ones, which widen it for themselves.
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=()"
VIDEO_PERMISSIONS_POLICY = "camera=(self), microphone=(self), geolocation=(), payment=()"
# The headers a page may set for itself, narrower or wider than every page's (the video pages).
PAGE_OWN_HEADERS = frozenset({"permissions-policy", "content-security-policy"})
CSRF_FIELD = "csrf_token"
# The largest form we accept; ours are a few hundred bytes.
MAX_FORM_BYTES = 64 * 1024
# A message with its photos (multipart): as large as messaging accepts a request.
MULTIPART = "multipart/form-data"
MAX_UPLOAD_BYTES = 64 * 1024 * 1024
MAX_UPLOAD_FILES = 20
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class SecurityHeaders:
    def __init__(
        self, app: ASGIApp, *, secure: bool, policy: str = CONTENT_SECURITY_POLICY
    ) -> None:
        self.app = app
        self.headers = {
            "content-security-policy": policy,
            "x-content-type-options": "nosniff",
            "x-frame-options": "DENY",
            # Links in our emails carry single-use tokens: no page sends its address onwards.
            "referrer-policy": "no-referrer",
            "permissions-policy": PERMISSIONS_POLICY,
            "cross-origin-opener-policy": "same-origin",
        }
        if secure:
            self.headers["strict-transport-security"] = "max-age=31536000; includeSubDomains"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in self.headers.items():
                    if name not in PAGE_OWN_HEADERS or name not in headers:
                        headers[name] = value
                if "cache-control" not in headers:
                    # Pages show account details: never kept by the browser or a proxy.
                    headers["cache-control"] = "no-store"
            await send(message)

        await self.app(scope, receive, send_with_headers)


def csrf_token(request: Request) -> str:
    """The session's token, put in a hidden field of every form (made on first use)."""
    token = request.session.get("csrf")
    if not isinstance(token, str):
        token = request.session["csrf"] = secrets.token_urlsafe(32)
    return token


class CsrfProtection:
    """Refuses a POST whose form does not carry the session's CSRF token: another site can make a
    browser post to us with its cookies, but cannot read our pages to learn the token.

    Runs inside the session middleware. It reads the body once and hands the same bytes on;
    a refused form gets `refusal`'s page instead."""

    def __init__(self, app: ASGIApp, refusal: Callable[[Request], Awaitable[Response]]) -> None:
        self.app = app
        self.refusal = refusal

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in SAFE_METHODS:
            await self.app(scope, receive, send)
            return
        limit = MAX_UPLOAD_BYTES if _content_type(scope).startswith(MULTIPART) else MAX_FORM_BYTES
        chunks: list[bytes] = []
        size, more = 0, True
        while more:
            message = await receive()
            chunks.append(message.get("body", b""))
            size += len(chunks[-1])
            more = message.get("more_body", False)
            if size > limit:
                await PlainTextResponse("Form too large.", status_code=413)(scope, receive, send)
                return
        body = b"".join(chunks)
        expected = scope.get("session", {}).get("csrf")
        given = await _form_field(scope, body, CSRF_FIELD)
        if not (isinstance(expected, str) and given and secrets.compare_digest(expected, given)):
            response = await self.refusal(Request(scope))
            await response(scope, receive, send)
            return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if replayed:
                return await receive()  # a disconnect, if the client goes
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)


def _content_type(scope: Scope) -> str:
    return dict(scope["headers"]).get(b"content-type", b"").decode("latin-1")


async def _form_field(scope: Scope, body: bytes, name: str) -> str:
    content_type = _content_type(scope)
    if content_type.startswith(MULTIPART):
        return await _multipart_field(scope, body, name)
    if not content_type.startswith("application/x-www-form-urlencoded"):
        return ""  # our forms send nothing else
    values = parse_qs(body.decode("utf-8", "replace"), max_num_fields=100)
    return values.get(name, [""])[0]


async def _multipart_field(scope: Scope, body: bytes, name: str) -> str:
    async def the_body() -> AsyncGenerator[bytes, None]:
        yield body

    parser = MultiPartParser(Headers(scope=scope), the_body(), max_files=MAX_UPLOAD_FILES)
    try:
        form = await parser.parse()
    except MultiPartException:
        return ""
    value = form.get(name)
    await form.close()
    return value if isinstance(value, str) else ""

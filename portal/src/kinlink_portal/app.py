"""The portal's web application: pages, static files, sessions, and the middleware every
request passes (timing and correlation, security headers, session, language, CSRF)."""

from __future__ import annotations

import secrets
import time
from collections.abc import AsyncIterator
from collections.abc import Callable
from contextlib import asynccontextmanager
from pathlib import Path
from urllib.parse import urlencode

from kinlink_kit.logging import bind_contextvars
from kinlink_kit.logging import clear_contextvars
from kinlink_kit.metrics import HTTP_SECONDS
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.responses import Response
from starlette.routing import Mount
from starlette.routing import Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp
from starlette.types import Message
from starlette.types import Receive
from starlette.types import Scope
from starlette.types import Send

from kinlink_portal import card_entry
from kinlink_portal import simulated_room
from kinlink_portal.i18n import LANGUAGE_COOKIE
from kinlink_portal.i18n import LANGUAGES
from kinlink_portal.i18n import chosen_language
from kinlink_portal.i18n import gettext as _
from kinlink_portal.i18n import use_language
from kinlink_portal.limits import AttemptLimit
from kinlink_portal.navigation import local_path
from kinlink_portal.navigation import see_other
from kinlink_portal.pages import accounts
from kinlink_portal.pages import allowances
from kinlink_portal.pages import cards
from kinlink_portal.pages import commissary
from kinlink_portal.pages import commissary_console
from kinlink_portal.pages import console
from kinlink_portal.pages import contact
from kinlink_portal.pages import custody
from kinlink_portal.pages import deposits
from kinlink_portal.pages import help_pages
from kinlink_portal.pages import histories
from kinlink_portal.pages import id_verification
from kinlink_portal.pages import mailbox
from kinlink_portal.pages import messages
from kinlink_portal.pages import messaging
from kinlink_portal.pages import my_account
from kinlink_portal.pages import residents
from kinlink_portal.pages import review
from kinlink_portal.pages import sms
from kinlink_portal.pages import staff
from kinlink_portal.pages import video_test
from kinlink_portal.pages import visit_booking
from kinlink_portal.pages import visit_connect
from kinlink_portal.pages import visits
from kinlink_portal.pages import visits_console
from kinlink_portal.rendering import render
from kinlink_portal.rendering import templates
from kinlink_portal.security import CsrfProtection
from kinlink_portal.security import SecurityHeaders
from kinlink_portal.sentences import FORM_EXPIRED
from kinlink_portal.sentences import sentence
from kinlink_portal.services import Failure
from kinlink_portal.services import Refusal
from kinlink_portal.services import Services
from kinlink_portal.services import failure
from kinlink_portal.sessions import NotSignedIn
from kinlink_portal.settings import PortalSettings
from kinlink_portal.simulated_room import SimulatedRoom

SESSION_COOKIE = "kinlink_session"
# The payer's answer to their bank's check of a payment, given its client secret: passed or not.
CardIssuer = Callable[..., None]
LANGUAGE_COOKIE_DAYS = 365


class RequestContext:
    """Outermost: a correlation id for the request (sent on to the services, bound to every log
    line) and its time in kinlink_http_seconds by route."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        clear_contextvars()
        correlation_id = secrets.token_hex(8)
        scope.setdefault("state", {})["correlation_id"] = correlation_id
        bind_contextvars(correlation_id=correlation_id, path=scope["path"])
        started, status = time.perf_counter(), 500

        async def send_timed(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_timed)
        finally:
            route = getattr(scope.get("route"), "path", "unmatched")
            HTTP_SECONDS.labels(scope["method"], route, str(status)).observe(
                time.perf_counter() - started
            )


class Language:
    """Each request's language: the visitor's switch, else their browser's wish."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            use_language(chosen_language(Request(scope)))
        await self.app(scope, receive, send)


class UnexpectedErrors:
    """Innermost: anything unexpected becomes the error page with a reference code (logged with
    its traceback), still inside the session, language and security headers."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = False

        async def send_watched(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, send_watched)
        except Exception as error:
            if started or scope["type"] != "http":
                raise
            response = await failed(Request(scope, receive), error)
            await response(scope, receive, send)


async def home(request: Request) -> Response:
    return render(request, "home.html")


async def switch_language(request: Request) -> Response:
    form = await request.form()
    language = str(form.get("language", ""))
    response = see_other(local_path(str(form.get("next", "/")), otherwise="/"))
    if language in LANGUAGES:
        response.set_cookie(
            LANGUAGE_COOKIE,
            language,
            max_age=LANGUAGE_COOKIE_DAYS * 86400,
            httponly=True,
            secure=request.app.state.secure_cookies,
            samesite="lax",
        )
    return response


async def health(request: Request) -> Response:
    """Liveness and readiness: the process answers (from SIGTERM on it takes no new
    connections, so the probe fails while requests in flight finish)."""
    return JSONResponse({"status": "serving"})


async def form_expired(request: Request) -> Response:
    return render(
        request,
        "error.html",
        403,
        heading=_("Please try again"),
        message=_(FORM_EXPIRED),
        reference=None,
    )


async def not_signed_in(request: Request, error: Exception) -> Response:
    query = {"next": request.url.path}
    if isinstance(error, NotSignedIn) and error.ended:
        query["notice"] = "session_ended"
    return see_other("/log-in?" + urlencode(query))


async def failed(request: Request, error: Exception) -> Response:
    if not isinstance(error, Failure):
        error = failure(error=repr(error), exc_info=error)  # a bug: its traceback is logged
    unavailable = error.unavailable
    return render(
        request,
        "error.html",
        503 if unavailable else 500,
        heading=_("Sorry, something went wrong"),
        message=_("Kinlink is not available right now. Please try again in a few minutes.")
        if unavailable
        else _("Something went wrong on our side. Please try again."),
        reference=error.reference,
    )


# A refusal no page placed beside a field: said on a page of its own.
REFUSAL_STATUS = {"role_not_allowed": 403, "facility_out_of_scope": 403, "facility_not_found": 404}


async def refused(request: Request, error: Exception) -> Response:
    code = error.code if isinstance(error, Refusal) else ""
    return render(
        request,
        "error.html",
        REFUSAL_STATUS.get(code, 400),
        heading=_("Sorry, this did not work"),
        message=sentence(code),
        reference=None,
    )


async def http_error(request: Request, error: Exception) -> Response:
    status = error.status_code if isinstance(error, HTTPException) else 500
    heading = _("Page not found") if status == 404 else _("Sorry, this did not work")
    message = (
        _("Check the address, or start again from the home page.")
        if status == 404
        else _("Please go back and try again.")
    )
    return render(request, "error.html", status, heading=heading, message=message, reference=None)


def create_app(
    settings: PortalSettings,
    clock: Callable[[], float] = time.time,
    card_issuer: CardIssuer | None = None,
    video_room: SimulatedRoom | None = None,
) -> Starlette:
    """The portal, calling the services `settings` names (channels opened at start-up). With a
    simulated card processor, `card_issuer` answers for the bank a payer confirms a payment
    with (3-D Secure), on a page of the portal standing in for the bank's. With a simulated
    video provider, `video_room` is its room the video pages join (decision 0076)."""
    secret = settings.checked_cookie_secret()

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        services = app.state.services = Services(settings)
        try:
            yield
        finally:
            await services.close()

    app = Starlette(
        routes=[
            Route("/", home),
            Route("/language", switch_language, methods=["POST"]),
            Route("/healthz", health),
            *accounts.routes,
            *my_account.routes,
            *residents.routes,
            *console.routes,
            *messaging.routes,
            *histories.routes,
            *allowances.routes,
            *cards.routes,
            *deposits.routes,
            *help_pages.routes,
            *custody.routes,
            *staff.routes,
            *id_verification.routes,
            *contact.routes,
            *messages.routes,
            *mailbox.routes,
            *review.routes,
            *sms.routes,
            *commissary_console.routes,
            *commissary.routes,
            *video_test.routes,
            *simulated_room.routes,
            *visit_booking.routes,
            *visits_console.routes,
            *visit_connect.routes,
            *visits.routes,
            Mount(
                "/static", StaticFiles(directory=Path(__file__).parent / "static"), name="static"
            ),
        ],
        middleware=[
            Middleware(RequestContext),
            Middleware(
                SecurityHeaders,
                secure=settings.secure_cookies,
                policy=card_entry.content_security_policy(
                    settings.checked_card_entry(), stripe_key=settings.stripe_publishable_key
                ),
            ),
            Middleware(
                SessionMiddleware,
                secret_key=secret,
                session_cookie=SESSION_COOKIE,
                max_age=int(settings.session_hours * 3600),
                same_site="lax",
                https_only=settings.secure_cookies,
            ),
            Middleware(Language),
            Middleware(CsrfProtection, refusal=form_expired),
            Middleware(UnexpectedErrors),
        ],
        exception_handlers={
            NotSignedIn: not_signed_in,
            Failure: failed,
            Refusal: refused,
            HTTPException: http_error,
        },
        lifespan=lifespan,
    )
    app.state.templates = templates()
    app.state.clock = clock
    app.state.secure_cookies = settings.secure_cookies
    app.state.card_issuer = card_issuer
    app.state.video_room = video_room
    app.state.card_entry = settings.card_entry
    app.state.stripe_publishable_key = settings.stripe_publishable_key
    app.state.support_email = settings.support_email
    window = settings.attempt_window_seconds
    app.state.log_ins = AttemptLimit(settings.log_in_attempts_per_address, window)
    app.state.sign_ups = AttemptLimit(settings.sign_ups_per_address, window)
    return app

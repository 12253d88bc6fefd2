"""Getting into an account: sign up, activate from the emailed link, log in and out, reset a
forgotten password, confirm a new email address, reactivate a closed account."""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from kinlink.identity.v1 import identity_pb2 as pb
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from kinlink_portal.forms import Form
from kinlink_portal.forms import submitted
from kinlink_portal.i18n import gettext as _
from kinlink_portal.limits import AttemptLimit
from kinlink_portal.navigation import local_path
from kinlink_portal.navigation import see_other
from kinlink_portal.navigation import with_notice
from kinlink_portal.pages.form_pages import facility_options
from kinlink_portal.pages.form_pages import form_page
from kinlink_portal.pages.id_verification import verification_needed
from kinlink_portal.pages.my_account import DETAILS
from kinlink_portal.pages.my_account import DETAILS_REQUIRED
from kinlink_portal.pages.my_account import account_details
from kinlink_portal.rendering import render
from kinlink_portal.sentences import N_
from kinlink_portal.services import Refusal
from kinlink_portal.services import call
from kinlink_portal.services import services
from kinlink_portal.sessions import end_session
from kinlink_portal.sessions import is_staff
from kinlink_portal.sessions import signed_in_name
from kinlink_portal.sessions import start_session
from kinlink_portal.time_zones import time_zone_options

SIGN_UP = ("email", "password", *DETAILS, "facility_id")
LOG_IN = ("email", "password")
LOG_IN_REQUIRED = {"email": "email_missing", "password": "password_missing"}
SIGN_UP_REQUIRED = {**LOG_IN_REQUIRED, **DETAILS_REQUIRED}
EMAIL = ("email",)


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def limit(request: Request, name: str) -> AttemptLimit:
    found: AttemptLimit = getattr(request.app.state, name)
    return found


def activation_sent(request: Request, email: str) -> Response:
    return render(
        request,
        "notice.html",
        heading=_("Check your email"),
        paragraphs=[
            _("We sent an email to %(email)s.") % {"email": email},
            _("Follow the link in it to activate your account. Then you can log in."),
            _("Did not receive it? Check your junk or spam folder, or try another email provider."),
        ],
        link=None,
    )


async def sign_up(request: Request) -> Response:
    form = Form(SIGN_UP, {"address.country": "US"})
    if request.method == "POST":
        form = await submitted(request, SIGN_UP)
        registration = pb.RegisterRequest(
            email=form.values["email"],
            password=form.values["password"],
            facility_id=form.values["facility_id"],
            **account_details(form),
        )
        try:
            if not form.missing(SIGN_UP_REQUIRED):
                limit(request, "sign_ups").check(client_address(request))
                account = await call(request, services(request).identity.Register, registration)
                return activation_sent(request, account.email)
        except Refusal as refusal:
            form.refused(refusal)
    return form_page(
        request,
        "sign_up.html",
        form,
        time_zones=time_zone_options(),
        facilities=await facility_options(request),
    )


@dataclass(frozen=True)
class EmailedLinkPage:
    """A page an emailed link opens (its token in the query). The token is spent only when the
    person presses the button: a mail scanner that fetches links cannot use it up. Its words
    are translated when the page is shown."""

    heading: str
    button: str
    ask_again: tuple[str, str]  # where to ask for a new link, and the words of that link
    password_field: bool = False

    @property
    def fields(self) -> tuple[str, ...]:
        return ("new_password",) if self.password_field else ()

    async def form(self, request: Request) -> Form | Response:
        """The form posted with the link's token, or the page to show (the form to press, or
        the refusal)."""
        if request.method == "GET":
            form = Form(self.fields, {"token": request.query_params.get("token", "")})
            return render(request, "token_form.html", form=form, page=self)
        return await submitted(request, self.fields, hidden=("token",))

    def refused(self, request: Request, form: Form, refusal: Refusal) -> Response:
        return render(request, "token_form.html", 400, form=form.refused(refusal), page=self)

    async def spend_token(
        self,
        request: Request,
        method_name: str,
        then: Callable[[Request], Response],
        detours: Mapping[str, Callable[[Request, str], Response]] = MappingProxyType({}),
    ) -> Response:
        """The page of a link whose token is all identity needs (`method_name` takes a
        TokenRequest); `then` says where to go once it is spent, `detours` where a refusal (by
        its code) sends the visitor on with the token."""
        form = await self.form(request)
        if isinstance(form, Response):
            return form
        method = getattr(services(request).identity, method_name)
        try:
            await call(request, method, pb.TokenRequest(token=form.values["token"]))
        except Refusal as refusal:
            if refusal.code in detours:
                return detours[refusal.code](request, form.values["token"])
            return self.refused(request, form, refusal)
        return then(request)


ACTIVATION = EmailedLinkPage(
    N_("Activate your account"),
    N_("Activate my account"),
    ("/resend-activation", N_("Send me a new activation link")),
)
EMAIL_CONFIRMATION = EmailedLinkPage(
    N_("Confirm your new email address"),
    N_("Make it my email address"),
    ("/account/email", N_("Change my email address again")),
)
REACTIVATION = EmailedLinkPage(
    N_("Reactivate your account"),
    N_("Reactivate my account"),
    ("/request-reactivation", N_("Send me a new link")),
)
PASSWORD_RESET = EmailedLinkPage(
    N_("Choose a new password"),
    N_("Change my password"),
    ("/forgot-password", N_("Send me a new link")),
    password_field=True,
)


async def activate(request: Request) -> Response:
    return await ACTIVATION.spend_token(
        request,
        "Activate",
        lambda _: with_notice("/log-in", "activated"),
        {"id_verification_required": verification_needed},
    )


async def confirm_email(request: Request) -> Response:
    def then(request: Request) -> Response:
        signed_in = signed_in_name(request) is not None
        return with_notice("/account" if signed_in else "/log-in", "email_changed")

    return await EMAIL_CONFIRMATION.spend_token(request, "ConfirmEmailChange", then)


async def reactivate(request: Request) -> Response:
    return await REACTIVATION.spend_token(
        request, "Reactivate", lambda _: with_notice("/log-in", "reactivated")
    )


LOG_IN_NOTICES = {
    "activated": lambda: _("Your account is active. You can log in now."),
    "password_reset": lambda: _("Your password has been changed. Log in with your new password."),
    "logged_out": lambda: _("You have logged out."),
    "session_ended": lambda: _("Your session has ended. Please log in again."),
    "email_changed": lambda: _("Your email address is changed. Log in with the new one."),
    "reactivated": lambda: _("Your account is open again. You can log in now."),
}


async def log_in(request: Request) -> Response:
    notice = LOG_IN_NOTICES.get(request.query_params.get("notice", ""), lambda: "")()
    next_page = local_path(request.query_params.get("next", ""), otherwise="")
    form = Form(LOG_IN)
    if request.method == "POST":
        form = await submitted(request, (*LOG_IN, "next"))
        next_page = local_path(form.values["next"], otherwise="")
        credentials = pb.LogInRequest(email=form.values["email"], password=form.values["password"])
        try:
            if not form.missing(LOG_IN_REQUIRED):
                limit(request, "log_ins").check(client_address(request))
                session = await call(request, services(request).identity.LogIn, credentials)
                start_session(request, session)
                return see_other(next_page or ("/console" if is_staff(request) else "/account"))
        except Refusal as refusal:
            form.refused(refusal)
    status = 400 if form.errors else 200
    return render(request, "log_in.html", status, form=form, notice=notice, next=next_page)


async def log_out(request: Request) -> Response:
    end_session(request)
    return with_notice("/log-in", "logged_out")


async def email_link_request(
    request: Request, heading: str, lead: str, sent: str, method_name: str
) -> Response:
    """A form asking identity to email a link (a new activation link, a password reset)."""
    form = Form(EMAIL)
    if request.method == "POST":
        form = await submitted(request, EMAIL)
        try:
            method = getattr(services(request).identity, method_name)
            await call(request, method, pb.EmailRequest(email=form.values["email"]))
        except Refusal as refusal:
            form.refused(refusal)
        else:
            # Identity answers alike for unknown addresses, so neither do we say which.
            return render(
                request, "notice.html", heading=_("Check your email"), paragraphs=[sent], link=None
            )
    status = 400 if form.errors else 200
    return render(request, "email_form.html", status, form=form, heading=heading, lead=lead)


async def forgot_password(request: Request) -> Response:
    return await email_link_request(
        request,
        _("Forgot your password?"),
        _(
            "Enter the email address of your account. We will email you a link to choose a new "
            "password."
        ),
        _("If an account uses this address, we sent it a link to choose a new password."),
        "RequestPasswordReset",
    )


async def resend_activation(request: Request) -> Response:
    return await email_link_request(
        request,
        _("Get a new activation link"),
        _("Enter the email address you signed up with. We will email you a new activation link."),
        _("If an account waiting for activation uses this address, we sent it a new link."),
        "ResendActivation",
    )


async def reset_password(request: Request) -> Response:
    form = await PASSWORD_RESET.form(request)
    if isinstance(form, Response):
        return form
    reset = pb.ResetPasswordRequest(
        token=form.values["token"], new_password=form.values["new_password"]
    )
    try:
        await call(request, services(request).identity.ResetPassword, reset)
    except Refusal as refusal:
        return PASSWORD_RESET.refused(request, form, refusal)
    end_session(request)  # every earlier session of the account has ended
    return with_notice("/log-in", "password_reset")


async def request_reactivation(request: Request) -> Response:
    return await email_link_request(
        request,
        _("Reactivate your account"),
        _(
            "Enter the email address of your closed account. We will email you a link to open "
            "it again."
        ),
        _("If a closed account uses this address, we sent it a link to open it again."),
        "RequestReactivation",
    )


routes = [
    Route("/sign-up", sign_up, methods=["GET", "POST"]),
    # Identity's emails link here (its KINLINK_PUBLIC_URL is the portal's address).
    Route("/activate", activate, methods=["GET", "POST"]),
    Route("/resend-activation", resend_activation, methods=["GET", "POST"]),
    Route("/log-in", log_in, methods=["GET", "POST"]),
    Route("/log-out", log_out, methods=["POST"]),
    Route("/forgot-password", forgot_password, methods=["GET", "POST"]),
    Route("/reset-password", reset_password, methods=["GET", "POST"]),
    Route("/confirm-email", confirm_email, methods=["GET", "POST"]),
    Route("/request-reactivation", request_reactivation, methods=["GET", "POST"]),
    Route("/reactivate", reactivate, methods=["GET", "POST"]),
]

"""My Account: a family member's details, email address and emails, and closing the account."""

from __future__ import annotations

from typing import Any

from kinlink.identity.v1 import identity_pb2 as pb
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from kinlink_portal.forms import Form
from kinlink_portal.forms import submitted
from kinlink_portal.i18n import gettext as _
from kinlink_portal.navigation import with_notice
from kinlink_portal.rendering import render
from kinlink_portal.services import Refusal
from kinlink_portal.services import services
from kinlink_portal.sessions import call_signed_in
from kinlink_portal.sessions import end_session
from kinlink_portal.time_zones import time_zone_name
from kinlink_portal.time_zones import time_zone_options

ADDRESS_FIELDS = ("line1", "line2", "city", "region", "postal_code", "country")
ADDRESS = ("address", *(f"address.{name}" for name in ADDRESS_FIELDS))
DETAILS = ("first_name", "last_name", *ADDRESS, "phone", "time_zone")
# Each detail that must not be empty, and what is said when it is.
DETAILS_REQUIRED = {
    "first_name": "first_name_missing",
    "last_name": "last_name_missing",
    **{f"address.{name}": f"address_{name}_missing" for name in ADDRESS_FIELDS if name != "line2"},
    "phone": "phone_missing",
    "time_zone": "time_zone_missing",
}
EMAIL_CHANGE = ("new_email", "password")
CLOSING = ("password",)

ACCOUNT_NOTICES = {
    "saved": lambda: _("Your details are saved."),
    "email_changed": lambda: _("Your email address is changed."),
    "subscribed": lambda: _("You will get Kinlink's emails again."),
    "unsubscribed": lambda: _("You will not get Kinlink's emails any more."),
    "sms_number_changed": lambda: _("Your new number is verified: text messages go to it now."),
}


def account_details(form: Form) -> dict[str, Any]:
    """The details a family member gives at sign-up and edits later, as identity names them."""
    address = {name: form.values[f"address.{name}"] for name in ADDRESS_FIELDS}
    return {
        "first_name": form.values["first_name"],
        "last_name": form.values["last_name"],
        "address": pb.PostalAddress(**address),
        "phone": form.values["phone"],
        "time_zone": form.values["time_zone"],
    }


def details_form(account: pb.Account) -> Form:
    values = {
        "first_name": account.first_name,
        "last_name": account.last_name,
        "phone": account.phone,
        "time_zone": account.time_zone,
    }
    values |= {f"address.{name}": getattr(account.address, name) for name in ADDRESS_FIELDS}
    return Form(DETAILS, values)


def address_line(address: pb.PostalAddress) -> str:
    parts = [getattr(address, name) for name in ADDRESS_FIELDS]
    return ", ".join(part for part in parts if part)


async def my_account(request: Request) -> Response:
    account = await call_signed_in(
        request, services(request).identity.GetAccount, pb.GetAccountRequest()
    )
    notice = ACCOUNT_NOTICES.get(request.query_params.get("notice", ""), lambda: "")()
    return render(
        request,
        "account.html",
        account=account,
        address=address_line(account.address),
        time_zone=time_zone_name(account.time_zone),
        notice=notice,
    )


async def edit_account(request: Request) -> Response:
    identity = services(request).identity
    if request.method == "GET":
        account = await call_signed_in(request, identity.GetAccount, pb.GetAccountRequest())
        form = details_form(account)
    else:
        form = await submitted(request, DETAILS)
        details = account_details(form)
        change = pb.EditAccountRequest(fields=list(details), **details)
        try:
            if not form.missing(DETAILS_REQUIRED):
                await call_signed_in(request, identity.EditAccount, change)
                return with_notice("/account", "saved")
        except Refusal as refusal:
            form.refused(refusal)
    status = 400 if form.errors else 200
    return render(request, "account_edit.html", status, form=form, time_zones=time_zone_options())


async def change_email(request: Request) -> Response:
    form = Form(EMAIL_CHANGE)
    if request.method == "POST":
        form = await submitted(request, EMAIL_CHANGE)
        change = pb.RequestEmailChangeRequest(
            new_email=form.values["new_email"], password=form.values["password"]
        )
        try:
            await call_signed_in(request, services(request).identity.RequestEmailChange, change)
        except Refusal as refusal:
            form.refused(refusal)
        else:
            sent = _(
                "We sent an email to %(email)s. Follow its link to make it your account's "
                "email address; until then, log in with the one you have."
            ) % {"email": form.values["new_email"]}
            return render(
                request, "notice.html", heading=_("Check your email"), paragraphs=[sent], link=None
            )
    status = 400 if form.errors else 200
    return render(request, "account_email.html", status, form=form)


async def email_subscription(request: Request) -> Response:
    subscribed = (await request.form()).get("subscribed") == "true"
    choice = pb.SetEmailSubscriptionRequest(subscribed=subscribed)
    await call_signed_in(request, services(request).identity.SetEmailSubscription, choice)
    return with_notice("/account", "subscribed" if subscribed else "unsubscribed")


async def close_account(request: Request) -> Response:
    form = Form(CLOSING)
    if request.method == "POST":
        form = await submitted(request, CLOSING)
        closing = pb.CloseAccountRequest(password=form.values["password"])
        try:
            await call_signed_in(request, services(request).identity.CloseAccount, closing)
        except Refusal as refusal:
            form.refused(refusal)
        else:
            end_session(request)
            return render(
                request,
                "notice.html",
                heading=_("Your account is closed"),
                paragraphs=[_("You can open it again later through a link we email you.")],
                link=("/request-reactivation", _("Reactivate my account")),
            )
    status = 400 if form.errors else 200
    return render(request, "account_close.html", status, form=form)


routes = [
    Route("/account", my_account),
    Route("/account/edit", edit_account, methods=["GET", "POST"]),
    Route("/account/email", change_email, methods=["GET", "POST"]),
    Route("/account/emails", email_subscription, methods=["POST"]),
    Route("/account/close", close_account, methods=["GET", "POST"]),
]

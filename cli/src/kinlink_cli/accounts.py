"""`kinlink account ...`: sign up, log in, edit details, close and reactivate your account."""

from __future__ import annotations

from datetime import datetime

import click
from google.protobuf.message import Message
from kinlink.identity.v1 import identity_pb2 as pb
from kinlink.identity.v1 import identity_pb2_grpc

from kinlink_cli import session
from kinlink_cli.connection import Connection
from kinlink_cli.connection import pass_connection
from kinlink_cli.identity import address_line
from kinlink_cli.identity import address_options
from kinlink_cli.identity import call_identity
from kinlink_cli.identity import changes
from kinlink_cli.identity import json_option
from kinlink_cli.identity import page_size_option
from kinlink_cli.identity import page_token_option
from kinlink_cli.identity import say
from kinlink_cli.identity import say_next_page
from kinlink_cli.identity import secret
from kinlink_cli.identity import token_argument
from kinlink_cli.identity import token_from
from kinlink_cli.output import emit_json

# Requirements "Unsubscribed From Emails Pop-Up".
UNSUBSCRIBED_NOTICE = (
    "You have unsubscribed from Kinlink emails. This means you will not get notification emails "
    "from Kinlink. Being unsubscribed will prevent you from being able to reset your password or "
    "reactivate your account if deactivated. Re-subscribing is not required to use Kinlink, but "
    "it is recommended: `kinlink account subscribe-emails`."
)
MISSING_EMAIL_HINT = (
    "Didn't receive it? Check your junk / spam folder for the message, or try another email "
    "provider."
)

STATUS = {
    pb.ACCOUNT_STATUS_PENDING_ACTIVATION: "waiting for activation (follow the emailed link)",
    pb.ACCOUNT_STATUS_ACTIVE: "active",
    pb.ACCOUNT_STATUS_CLOSED: "closed (`kinlink account request-reactivation` to reopen it)",
}
ID_VERIFICATION = {
    pb.ID_VERIFICATION_NOT_REQUIRED: "not required",
    pb.ID_VERIFICATION_REQUIRED: "required (`kinlink account verify-id`)",
    pb.ID_VERIFICATION_VERIFIED: "verified",
    pb.ID_VERIFICATION_FAILED: "failed: contact support",
}
STAFF_ROLES = ("facility_officer", "operator", "auditor", "facility_integration")


def show_account(account: pb.Account) -> None:
    click.echo(f"{account.first_name} {account.last_name} <{account.email}>")
    click.echo(f"  account {account.account_id}: {STATUS.get(account.status, 'unknown')}")
    if address := address_line(account.address):
        click.echo(f"  address: {address}")
    if account.phone:
        click.echo(f"  phone: {account.phone}")
    if account.time_zone:
        click.echo(f"  time zone: {account.time_zone}")
    click.echo(f"  emails: {'subscribed' if account.email_subscribed else 'unsubscribed'}")
    click.echo(f"  ID verification: {ID_VERIFICATION.get(account.id_verification, 'unknown')}")
    if set(account.roles) != {"family_member"}:
        click.echo(f"  roles: {', '.join(account.roles)}")
    if account.facility_ids:
        click.echo(f"  facilities: {', '.join(account.facility_ids)}")
    if account.messaging_subscription_card_id:
        click.echo(f"  messaging subscription card: {account.messaging_subscription_card_id}")


def start_session(result: pb.Session, as_json: bool) -> None:
    """Keep the tokens for the next commands and say who is logged in."""
    session.save_session(result.access_token, result.refresh_token)
    if as_json:
        emit_json(result)
        return
    account = result.account
    click.echo(f"Logged in as {account.first_name} {account.last_name} <{account.email}>.")
    expires = result.access_token_expires_at.ToDatetime().isoformat(timespec="minutes")
    click.echo(f"  session valid until {expires}Z (`kinlink account refresh` renews it)")
    if not account.email_subscribed:
        click.echo(UNSUBSCRIBED_NOTICE)


def call_account(conn: Connection, method: str, request: Message, as_json: bool) -> None:
    call_identity(conn, method, request, as_json, show_account)


@click.group()
def account() -> None:
    """Your Kinlink account: sign up, log in, edit your details, close or reactivate it."""


@account.command()
@click.option("--email", required=True, help="Your email address: your account's unique id.")
@click.option("--first-name", required=True)
@click.option("--last-name", required=True)
@address_options("address", "address", required=True)
@click.option("--phone", required=True, help="Your phone number, e.g. +13125550100.")
@click.option(
    "--time-zone",
    required=True,
    help="Your time zone, e.g. America/Chicago, so video visits are scheduled right.",
)
@click.option("--facility", default="", help="The facility you will send money to, if known.")
@secret("password", "Password", confirm=True)
@json_option
@pass_connection
def register(
    conn: Connection,
    email: str,
    first_name: str,
    last_name: str,
    address: pb.PostalAddress,
    phone: str,
    time_zone: str,
    facility: str,
    password: str,
    as_json: bool,
) -> None:
    """Create an account. We email you a link that activates it."""
    request = pb.RegisterRequest(
        email=email,
        password=password,
        first_name=first_name,
        last_name=last_name,
        address=address,
        phone=phone,
        time_zone=time_zone,
        facility_id=facility,
    )

    def show_registered(registered: pb.Account) -> None:
        click.echo(f"Account {registered.account_id} created for {registered.email}.")
        click.echo(
            f"We sent an activation email to {registered.email}: follow its link, or run "
            "`kinlink account activate LINK_OR_TOKEN`, to activate your account."
        )
        click.echo(MISSING_EMAIL_HINT)

    call_identity(conn, "Register", request, as_json, show_registered)


@account.command()
@click.option("--email", required=True)
@secret("password", "Password")
@json_option
@pass_connection
def login(conn: Connection, email: str, password: str, as_json: bool) -> None:
    """Log in; the next commands act as you until you log out."""
    request = pb.LogInRequest(email=email, password=password)
    result = conn.call(identity_pb2_grpc.IdentityServiceStub, "LogIn", request, as_json)
    start_session(result, as_json)


@account.command()
def logout() -> None:
    """Log out: forget the session kept on this computer."""
    session.clear_session()
    click.echo("Logged out.")


@account.command()
@json_option
@pass_connection
def refresh(conn: Connection, as_json: bool) -> None:
    """Renew your session without typing your password again."""
    refresh_token = session.load_refresh_token()
    if not refresh_token:
        raise click.ClickException("You are not logged in: `kinlink account login`.")
    request = pb.RefreshSessionRequest(refresh_token=refresh_token)
    result = conn.call(identity_pb2_grpc.IdentityServiceStub, "RefreshSession", request, as_json)
    start_session(result, as_json)


@account.command()
@click.option("--account", "account_id", default="", help="Operators: someone else's account.")
@json_option
@pass_connection
def show(conn: Connection, account_id: str, as_json: bool) -> None:
    """Show your account details."""
    call_account(conn, "GetAccount", pb.GetAccountRequest(account_id=account_id), as_json)


@account.command()
@click.option("--first-name")
@click.option("--last-name")
@address_options("address", "address")
@click.option("--phone", help="E.g. +13125550100.")
@click.option("--time-zone", help="E.g. America/Chicago.")
@json_option
@pass_connection
def edit(
    conn: Connection,
    first_name: str | None,
    last_name: str | None,
    address: pb.PostalAddress | None,
    phone: str | None,
    time_zone: str | None,
    as_json: bool,
) -> None:
    """Edit your account details; only the ones you give change."""
    given = changes(
        "the details to edit, e.g. --phone",
        first_name=first_name,
        last_name=last_name,
        address=address,
        phone=phone,
        time_zone=time_zone,
    )
    request = pb.EditAccountRequest(fields=list(given), **given)
    call_account(conn, "EditAccount", request, as_json)


@account.command(name="change-email")
@click.argument("new_email")
@secret("password", "Current password")
@json_option
@pass_connection
def change_email(conn: Connection, new_email: str, password: str, as_json: bool) -> None:
    """Change your email address, your account's unique id. We email a link to the new address
    that confirms it."""
    request = pb.RequestEmailChangeRequest(new_email=new_email, password=password)
    text = (
        f"We sent a confirmation email to {new_email}: follow its link, or run "
        "`kinlink account confirm-email LINK_OR_TOKEN`, to make it your account's email."
    )
    call_identity(conn, "RequestEmailChange", request, as_json, say(text))


@account.command()
@secret("password", "Password")
@json_option
@pass_connection
def close(conn: Connection, password: str, as_json: bool) -> None:
    """Close your account. You can reactivate it later through an emailed link."""
    text = "Your account is closed. `kinlink account request-reactivation EMAIL` reopens it."
    call_identity(
        conn, "CloseAccount", pb.CloseAccountRequest(password=password), as_json, say(text)
    )
    session.clear_session()


def link_request(name: str, method: str, help_text: str, sent: str) -> None:
    """A command that asks for an emailed link; answers the same whether the email is known."""

    @account.command(name=name, help=help_text)
    @click.argument("email")
    @json_option
    @pass_connection
    def command(conn: Connection, email: str, as_json: bool) -> None:
        text = f"{sent.format(email=email)}\n{MISSING_EMAIL_HINT}"
        call_identity(conn, method, pb.EmailRequest(email=email), as_json, say(text))


def link_follow(name: str, method: str, help_text: str) -> None:
    """A command that does what an emailed link does, given the link or its token."""

    @account.command(name=name, help=help_text)
    @token_argument
    @json_option
    @pass_connection
    def command(conn: Connection, token: str, as_json: bool) -> None:
        call_account(conn, method, pb.TokenRequest(token=token), as_json)


def email_subscription(name: str, subscribed: bool, help_text: str, done: str) -> None:
    @account.command(name=name, help=help_text)
    @json_option
    @pass_connection
    def command(conn: Connection, as_json: bool) -> None:
        request = pb.SetEmailSubscriptionRequest(subscribed=subscribed)
        call_identity(conn, "SetEmailSubscription", request, as_json, say(done))


link_request(
    "resend-activation",
    "ResendActivation",
    "Send the activation email again.",
    "If {email} has an account waiting for activation, we sent it a new activation email.",
)
link_follow(
    "activate",
    "Activate",
    "Activate your account with the link (or its token) from the activation email.",
)
link_request(
    "forgot-password",
    "RequestPasswordReset",
    "Email a link to reset your password.",
    "If {email} has an account, we sent it an email to reset the password.",
)
link_follow(
    "confirm-email",
    "ConfirmEmailChange",
    "Confirm your new email address with the link (or its token) we sent to it.",
)
link_request(
    "request-reactivation",
    "RequestReactivation",
    "Email a link that reactivates your closed account.",
    "If {email} has a closed account, we sent it a reactivation email.",
)
link_follow(
    "reactivate",
    "Reactivate",
    "Reactivate your closed account with the link (or its token) from the email.",
)
email_subscription(
    "subscribe-emails",
    True,
    "Get our notification emails again (needed to reset a password or reactivate).",
    "You are subscribed again.",
)
email_subscription(
    "unsubscribe-emails", False, "Stop our notification emails.", UNSUBSCRIBED_NOTICE
)


@account.command(name="reset-password")
@token_argument
@secret("password", "New password", confirm=True)
@json_option
@pass_connection
def reset_password(conn: Connection, token: str, password: str, as_json: bool) -> None:
    """Choose a new password with the link (or its token) from the reset email. Every session
    you had ends."""
    request = pb.ResetPasswordRequest(token=token, new_password=password)
    text = "Your password is changed. Log in with `kinlink account login`."
    call_identity(conn, "ResetPassword", request, as_json, say(text))


@account.command(name="verify-id")
@click.option("--legal-first-name", required=True)
@click.option("--legal-last-name", required=True)
@click.option(
    "--date-of-birth",
    required=True,
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="E.g. 1980-04-30.",
)
@address_options("address", "address", required=True)
@click.option(
    "--activation-link",
    "activation_token",
    default="",
    metavar="LINK_OR_TOKEN",
    callback=lambda _context, _param, value: token_from(value),
    help="Not activated yet? The link (or its token) from your activation email: verified, "
    "your account is activated at once, without logging in.",
)
@secret("ssn", "Social Security Number")
@json_option
@pass_connection
def verify_id(
    conn: Connection,
    legal_first_name: str,
    legal_last_name: str,
    date_of_birth: datetime,
    address: pb.PostalAddress,
    activation_token: str,
    ssn: str,
    as_json: bool,
) -> None:
    """Verify your identity, which some facilities require due to Federal regulations, logged
    in or, before your account is activated, with `--activation-link`. Your Social Security
    Number goes to the verification provider and is not kept."""
    request = pb.SubmitIdVerificationRequest(
        legal_first_name=legal_first_name,
        legal_last_name=legal_last_name,
        date_of_birth=date_of_birth.date().isoformat(),
        address=address,
        ssn=ssn,
        activation_token=activation_token,
    )
    call_account(conn, "SubmitIdVerification", request, as_json)


@account.command(name="create-staff")
@click.option("--email", required=True)
@click.option("--first-name", required=True)
@click.option("--last-name", required=True)
@click.option("--role", "roles", multiple=True, required=True, type=click.Choice(STAFF_ROLES))
@click.option(
    "--facility",
    "facility_ids",
    multiple=True,
    help="A facility an officer or integration works for (repeat for several).",
)
@secret("password", "Password", confirm=True)
@json_option
@pass_connection
def create_staff(
    conn: Connection,
    email: str,
    first_name: str,
    last_name: str,
    roles: tuple[str, ...],
    facility_ids: tuple[str, ...],
    password: str,
    as_json: bool,
) -> None:
    """Operators: create an account for a facility officer, an operator, an auditor or a
    facility's system."""
    request = pb.CreateStaffAccountRequest(
        email=email,
        password=password,
        first_name=first_name,
        last_name=last_name,
        roles=roles,
        facility_ids=facility_ids,
    )
    call_account(conn, "CreateStaffAccount", request, as_json)


@account.command(name="close-staff")
@click.argument("account_id")
@json_option
@pass_connection
def close_staff(conn: Connection, account_id: str, as_json: bool) -> None:
    """Operators: close the account of a staff member who leaves; their sessions end."""
    request = pb.CloseStaffAccountRequest(account_id=account_id)
    call_account(conn, "CloseStaffAccount", request, as_json)


def status_name(status: int) -> str:
    return pb.AccountStatus.Name(status).removeprefix("ACCOUNT_STATUS_").lower().replace("_", " ")


def show_staff(page: pb.ListStaffAccountsResponse) -> None:
    for listed in page.accounts:
        facilities = f" at {', '.join(listed.facility_ids)}" if listed.facility_ids else ""
        click.echo(
            f"{listed.account_id}  {listed.first_name} {listed.last_name} <{listed.email}>"
            f"  {', '.join(listed.roles)}{facilities}: {status_name(listed.status)}"
        )
    say_next_page(page.next_page_token)


@account.command(name="list-staff")
@page_size_option
@page_token_option
@json_option
@pass_connection
def list_staff(conn: Connection, page_size: int, page_token: str, as_json: bool) -> None:
    """Operators: the staff accounts, oldest first, a page at a time."""
    request = pb.ListStaffAccountsRequest(page_size=page_size, page_token=page_token)
    call_identity(conn, "ListStaffAccounts", request, as_json, show_staff)

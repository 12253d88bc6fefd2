"""`kinlink sms ...`: SMS notifications. Families turn them on for a resident on a mobile number
they verify with a texted code, turn them off, read their SMS of the last 14 days and see what
a text would cost as SMS; operators look up whether a number opted out or is unreachable."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click
from google.protobuf.message import Message
from kinlink.sms.v1 import sms_pb2 as pb
from kinlink.sms.v1 import sms_pb2_grpc
from kinlink_contracts.sms_consent import CURRENT_SMS_CONSENT_VERSION

from kinlink_cli.connection import Connection
from kinlink_cli.connection import pass_connection
from kinlink_cli.identity import json_option
from kinlink_cli.identity import page_size_option
from kinlink_cli.identity import page_token_option
from kinlink_cli.identity import say_next_page
from kinlink_cli.message_lines import body_options
from kinlink_cli.message_lines import facility_option
from kinlink_cli.message_lines import local_time
from kinlink_cli.message_lines import resident_option
from kinlink_cli.money import dollars

SUBSCRIPTION_STATUSES = {
    pb.SMS_SUBSCRIPTION_STATUS_VERIFYING: "waiting for the code",
    pb.SMS_SUBSCRIPTION_STATUS_ON: "on",
    pb.SMS_SUBSCRIPTION_STATUS_OFF: "off",
}
OFF_REASONS = {
    pb.SMS_OFF_REASON_DISABLED: "turned off",
    pb.SMS_OFF_REASON_OPTED_OUT: "the phone sent STOP (START turns it back on)",
    pb.SMS_OFF_REASON_NUMBER_UNREACHABLE: "the carrier cannot reach the number: try another",
}
SMS_STATUSES = {
    pb.SMS_STATUS_QUEUED: "queued",
    pb.SMS_STATUS_SENT: "sent",
    pb.SMS_STATUS_DELIVERED: "delivered",
    pb.SMS_STATUS_FAILED: "failed",
    pb.SMS_STATUS_NOT_SENT: "not sent",
}
ENCODINGS = {pb.SMS_ENCODING_GSM7: "GSM-7", pb.SMS_ENCODING_UCS2: "UCS-2"}


def call_sms(
    conn: Connection,
    method: str,
    request: Message,
    as_json: bool,
    show: Callable[[Any], None],
) -> Any:
    """Call one SmsGatewayService method, print its answer (JSON or `show`) and return it."""
    return conn.answer(sms_pb2_grpc.SmsGatewayServiceStub, method, request, as_json, show)


def texts(count: int) -> str:
    return f"{count} text{'' if count == 1 else 's'}"


def show_verification(verification: pb.Verification) -> None:
    """Where the code went, until when it works, and the words confirming it agrees to."""
    click.echo(
        f"Code sent to {verification.phone_number} for {verification.resident_id} at "
        f"{verification.facility_id}: valid until {local_time(verification.code_expires_at)}, "
        f"{verification.attempts_left} tries left; a new code from "
        f"{local_time(verification.resend_available_at)}."
    )
    click.echo(f"By confirming the code you agree to (consent {verification.consent.version}):")
    for line in verification.consent.text.splitlines():
        click.echo(f"  {line}")
    click.echo(
        f"Then: kinlink sms confirm --facility {verification.facility_id} "
        f"--resident {verification.resident_id} --code CODE"
    )


def subscription_line(subscription: pb.SmsSubscription) -> str:
    """One line: whose, its status (why off), the number texts go to and come from."""
    status = SUBSCRIPTION_STATUSES.get(subscription.status, "unknown")
    if subscription.status == pb.SMS_SUBSCRIPTION_STATUS_OFF:
        status += f": {OFF_REASONS.get(subscription.off_reason, 'turned off')}"
    parts = [f"{subscription.resident_id} at {subscription.facility_id}", status]
    if subscription.phone_number:
        parts.append(f"to {subscription.phone_number} from {subscription.kinlink_number}")
    if subscription.HasField("pending_verification"):
        pending = subscription.pending_verification
        parts.append(f"code sent to {pending.phone_number}")
    return "  ".join(parts)


def show_subscription(subscription: pb.SmsSubscription) -> None:
    click.echo(subscription_line(subscription))


def show_subscriptions(listed: pb.ListSmsSubscriptionsResponse) -> None:
    for subscription in listed.subscriptions:
        show_subscription(subscription)
    if not listed.subscriptions:
        click.echo("SMS notifications are set up for no resident.")


def show_preview(preview: pb.SmsPreview) -> None:
    """The cost as SMS; the characters that make it UCS-2, and what the plain text would cost."""
    click.echo(
        f"{texts(preview.segments)} ({ENCODINGS.get(preview.encoding, 'empty')}, "
        f"{preview.units} units): {dollars(preview.total_cents)} at "
        f"{dollars(preview.price_per_segment_cents)} a text"
    )
    for forcing in preview.forcing_characters:
        instead = f"use {forcing.replacement!r}" if forcing.replacement else "no plain replacement"
        click.echo(f"  {forcing.character!r} at {forcing.position} makes it UCS-2: {instead}")
    if preview.forcing_characters and preview.suggested_segments < preview.segments:
        click.echo(
            f"Plain: {texts(preview.suggested_segments)}, "
            f"{dollars(preview.suggested_total_cents)}: {preview.suggested_body}"
        )


def history_line(entry: pb.SmsHistoryEntry) -> str:
    way = "to phone" if entry.direction == pb.SMS_DIRECTION_TO_PHONE else "from phone"
    status = SMS_STATUSES.get(entry.status, "unknown")
    if entry.failure_reason:
        status += f": {entry.failure_reason}"
    parts = [
        local_time(entry.received_at),
        f"{way} {entry.resident_id} at {entry.facility_id}",
        f"{texts(entry.segments)} {ENCODINGS.get(entry.encoding, '')}".rstrip(),
        dollars(entry.amount_cents),
        status,
        f"until {local_time(entry.expires_at)}",
    ]
    if entry.pictures:
        parts.append(f"{entry.pictures} picture{'s' if entry.pictures > 1 else ''}")
    return "  ".join(parts)


def show_history(page: pb.ListSmsHistoryResponse) -> None:
    for entry in page.entries:
        click.echo(history_line(entry))
        for line in entry.body.splitlines():
            click.echo(f"  {line}")
    if not page.entries:
        click.echo("No SMS in the last 14 days.")
    say_next_page(page.next_page_token)


def show_phone_status(status: pb.PhoneNumberStatus) -> None:
    said = [status.phone_number]
    if status.opted_out:
        said.append(f"opted out ({status.opt_out_keyword} {local_time(status.opted_out_at)})")
    if status.unreachable:
        said.append(f"unreachable (carrier error {status.carrier_error_code})")
    if len(said) == 1:
        said.append("can receive SMS")
    click.echo("  ".join(said))


@click.group()
def sms() -> None:
    """SMS notifications: a resident's messages reach your phone as texts and you reply by
    text, each text paid from your messaging subscription."""


@sms.command()
@facility_option
@resident_option
@click.option("--phone", required=True, help="Your mobile number, e.g. '(312) 555-0100'.")
@click.option(
    "--consent-version",
    default=CURRENT_SMS_CONSENT_VERSION,
    show_default=True,
    help="The version of the consent words you agree to (shown with the code).",
)
@json_option
@pass_connection
def on(
    conn: Connection,
    facility: str,
    resident: str,
    phone: str,
    consent_version: str,
    as_json: bool,
) -> None:
    """Turn SMS on for a resident you wrote to (or move it to another number): a six-digit code
    is texted to the number."""
    request = pb.StartVerificationRequest(
        facility_id=facility,
        resident_id=resident,
        phone_number=phone,
        consent_version=consent_version,
    )
    call_sms(conn, "StartVerification", request, as_json, show_verification)


@sms.command()
@facility_option
@resident_option
@click.option("--code", required=True, help="The six digits texted to you.")
@json_option
@pass_connection
def confirm(conn: Connection, facility: str, resident: str, code: str, as_json: bool) -> None:
    """Enter the code: SMS is on, and your consent recorded."""
    request = pb.ConfirmVerificationRequest(facility_id=facility, resident_id=resident, code=code)
    call_sms(conn, "ConfirmVerification", request, as_json, show_subscription)


@sms.command()
@facility_option
@resident_option
@json_option
@pass_connection
def resend(conn: Connection, facility: str, resident: str, as_json: bool) -> None:
    """Text a new code (the old one stops working); at most one a minute."""
    request = pb.ResendVerificationCodeRequest(facility_id=facility, resident_id=resident)
    call_sms(conn, "ResendVerificationCode", request, as_json, show_verification)


@sms.command()
@facility_option
@resident_option
@json_option
@pass_connection
def off(conn: Connection, facility: str, resident: str, as_json: bool) -> None:
    """Turn SMS off for a resident: their messages wait online only."""
    request = pb.DisableSmsRequest(facility_id=facility, resident_id=resident)
    call_sms(conn, "DisableSms", request, as_json, show_subscription)


@sms.command()
@facility_option
@resident_option
@json_option
@pass_connection
def status(conn: Connection, facility: str, resident: str, as_json: bool) -> None:
    """Your SMS settings for one resident."""
    request = pb.GetSmsSubscriptionRequest(facility_id=facility, resident_id=resident)
    call_sms(conn, "GetSmsSubscription", request, as_json, show_subscription)


@sms.command(name="list")
@json_option
@pass_connection
def list_subscriptions(conn: Connection, as_json: bool) -> None:
    """Your SMS settings, one line a resident."""
    request = pb.ListSmsSubscriptionsRequest()
    call_sms(conn, "ListSmsSubscriptions", request, as_json, show_subscriptions)


@sms.command()
@facility_option
@body_options
@json_option
@pass_connection
def preview(conn: Connection, facility: str, body: str, as_json: bool) -> None:
    """What a text would cost as SMS at a facility, and the characters that make it longer."""
    request = pb.PreviewSmsRequest(facility_id=facility, body=body)
    call_sms(conn, "PreviewSms", request, as_json, show_preview)


@sms.command()
@page_size_option
@page_token_option
@json_option
@pass_connection
def history(conn: Connection, page_size: int, page_token: str, as_json: bool) -> None:
    """SMS sent to and from your phone, newest first: each for 14 days after it was received."""
    request = pb.ListSmsHistoryRequest(page_size=page_size, page_token=page_token)
    call_sms(conn, "ListSmsHistory", request, as_json, show_history)


@sms.command(name="phone-status")
@click.argument("phone_number")
@json_option
@pass_connection
def phone_status(conn: Connection, phone_number: str, as_json: bool) -> None:
    """(Operators) Whether a number opted out (STOP) or its carrier reported it unreachable."""
    request = pb.GetPhoneNumberStatusRequest(phone_number=phone_number)
    call_sms(conn, "GetPhoneNumberStatus", request, as_json, show_phone_status)

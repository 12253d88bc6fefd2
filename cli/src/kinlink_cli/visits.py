"""`kinlink visit ...`: video visits. Families see a facility-local day's free slots, book one
(from home, charged per connected minute, or in facility, free), dial now, cancel, list and
show their visits, get a join ticket, hang up and ask for a refund; staff see a day per station,
cancel with a note and end a visit with a reason; operators list and decide refund requests.
Times are shown in the terminal's zone and the facility's when they differ."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import click
from google.protobuf.message import Message
from google.protobuf.timestamp_pb2 import Timestamp
from kinlink.visitation.v1 import visitation_pb2 as pb
from kinlink.visitation.v1 import visitation_pb2_grpc

from kinlink_cli.connection import Connection
from kinlink_cli.connection import pass_connection
from kinlink_cli.identity import json_option
from kinlink_cli.identity import page_size_option
from kinlink_cli.identity import page_token_option
from kinlink_cli.identity import say_next_page
from kinlink_cli.message_lines import client_key
from kinlink_cli.message_lines import facility_option
from kinlink_cli.message_lines import local_time
from kinlink_cli.message_lines import resident_option
from kinlink_cli.message_lines import terminal_zone
from kinlink_cli.money import dollars
from kinlink_cli.money import parse_dollars

STATUSES = {
    pb.VISIT_STATUS_SCHEDULED: "scheduled",
    pb.VISIT_STATUS_IN_PROGRESS: "in progress",
    pb.VISIT_STATUS_INTERRUPTED: "interrupted",
    pb.VISIT_STATUS_ENDED: "ended",
    pb.VISIT_STATUS_CANCELLED: "cancelled",
    pb.VISIT_STATUS_MISSED: "missed",
}
KINDS = {pb.VISIT_KIND_REMOTE: "remote", pb.VISIT_KIND_IN_FACILITY: "in facility"}
CANCELLED_BY = {
    pb.CANCELLED_BY_VISITOR: "by the visitor",
    pb.CANCELLED_BY_FACILITY: "by the facility",
    pb.CANCELLED_BY_RESIDENT_TRANSFERRED: "the resident was transferred",
    pb.CANCELLED_BY_RESIDENT_RELEASED: "the resident was released",
}
END_REASONS = {
    pb.END_REASON_WINDOW_OVER: "time over",
    pb.END_REASON_VISITOR_ENDED: "the visitor hung up",
    pb.END_REASON_OFFICER_ENDED: "an officer ended it",
    pb.END_REASON_CREDIT_EXHAUSTED: "credit ran out",
    pb.END_REASON_RESIDENT_LEFT: "the resident left",
}
PROBLEMS = {
    "video_quality": pb.REFUND_PROBLEM_VIDEO_QUALITY,
    "audio_quality": pb.REFUND_PROBLEM_AUDIO_QUALITY,
    "dropped": pb.REFUND_PROBLEM_DROPPED,
    "could_not_connect": pb.REFUND_PROBLEM_COULD_NOT_CONNECT,
    "other": pb.REFUND_PROBLEM_OTHER,
}
REFUND_STATUSES = {
    "pending": pb.REFUND_STATUS_PENDING,
    "approved": pb.REFUND_STATUS_APPROVED,
    "denied": pb.REFUND_STATUS_DENIED,
}

in_facility_option = click.option(
    "--in-facility", is_flag=True, help="At the facility's lobby (free); default: from home."
)


def call_visitation(
    conn: Connection, method: str, request: Message, as_json: bool, show: Callable[[Any], None]
) -> Any:
    """Call one VisitationService method, print its answer (JSON or `show`) and return it."""
    return conn.answer(visitation_pb2_grpc.VisitationServiceStub, method, request, as_json, show)


def key_of(given: str | None) -> str:
    """The client key (the commands' --client-key option shadows the helper's name)."""
    return client_key(given)


def kind_of(in_facility: bool) -> pb.VisitKind:
    return pb.VISIT_KIND_IN_FACILITY if in_facility else pb.VISIT_KIND_REMOTE


def facility_time(moment: Timestamp, zone: str) -> str:
    return (
        moment.ToDatetime(tzinfo=ZoneInfo("UTC"))
        .astimezone(ZoneInfo(zone))
        .strftime("%Y-%m-%d %H:%M %Z")
    )


def both_times(moment: Timestamp, zone: str) -> str:
    """The terminal's time, and the facility's beside it when it shows another."""
    mine = local_time(moment)
    theirs = facility_time(moment, zone or "UTC")
    return mine if mine == theirs else f"{mine} (facility {theirs})"


def parse_start(text: str) -> Timestamp:
    """An ISO time (2026-03-08T10:00-05:00, or Z); without an offset, the terminal's zone."""
    try:
        at = datetime.fromisoformat(text)
    except ValueError:
        raise click.BadParameter(f"{text!r} is not a time like 2026-03-08T10:00-05:00") from None
    if at.tzinfo is None:
        at = at.replace(tzinfo=terminal_zone())
    return Timestamp(seconds=int(at.timestamp()))


def visit_line(visit: pb.Visit) -> str:
    status = STATUSES.get(visit.status, "unknown")
    if visit.cancelled_by in CANCELLED_BY:
        status += f" ({CANCELLED_BY[visit.cancelled_by]})"
    if visit.end_reason in END_REASONS:
        status += f" ({END_REASONS[visit.end_reason]})"
    price = (
        f"{dollars(visit.price_per_minute_cents)}/min"
        if visit.kind == pb.VISIT_KIND_REMOTE
        else "free"
    )
    parts = [
        f"Visit {visit.visit_id}",
        f"{visit.resident_id} at {visit.facility_id} station {visit.station}",
        both_times(visit.starts_at, visit.facility_time_zone),
        f"{visit.slot_minutes} min",
        KINDS.get(visit.kind, "remote") + (", direct dial" if visit.direct_dial else ""),
        price,
        status,
    ]
    if visit.charged_cents or visit.credited_cents:
        parts.append(
            f"charged {dollars(visit.charged_cents)} for {visit.minutes_charged} min, "
            f"credited {dollars(visit.credited_cents)}"
        )
    return "  ".join(parts)


def show_visit(visit: pb.Visit) -> None:
    click.echo(visit_line(visit))
    for note in (visit.cancel_note, visit.end_note):
        if note:
            click.echo(f"  {note}")


def show_visits(page: pb.ListVisitsResponse) -> None:
    for visit in page.visits:
        click.echo(visit_line(visit))
    if not page.visits:
        click.echo("No visit.")
    say_next_page(page.next_page_token)


def show_availability(day: pb.Availability) -> None:
    price = dollars(day.price_per_minute_cents) + "/min" if day.price_per_minute_cents else "free"
    click.echo(f"{day.facility_id} {day.date}, {day.slot_minutes} min slots, {price}")
    for slot in day.slots:
        click.echo(
            f"  {both_times(slot.starts_at, day.facility_time_zone)}  "
            f"{slot.stations_free} station(s) free  --starts {slot.starts_at.ToJsonString()}"
        )
    if not day.slots:
        click.echo(f"No free slot: {day.closed_reason or 'all taken'}.")


def show_day(day: pb.StationDay) -> None:
    click.echo(f"{day.facility_id} {day.date} ({day.facility_time_zone})")
    for schedule in day.stations:
        click.echo(f"Station {schedule.station}")
        for visit in schedule.visits:
            click.echo(
                f"  {facility_time(visit.starts_at, day.facility_time_zone)}  {visit.visit_id}  "
                f"{visit.resident_id}  {KINDS.get(visit.kind, 'remote')}  "
                f"{STATUSES.get(visit.status, 'unknown')}  {visit.connected_seconds // 60} min"
            )
        if not schedule.visits:
            click.echo("  no visit")


def show_ticket(ticket: pb.JoinTicket) -> None:
    click.echo(f"Room {ticket.room} at {ticket.url} as {ticket.identity}")
    click.echo(f"Valid {local_time(ticket.valid_from)} to {local_time(ticket.valid_until)}")
    click.echo(f"Token {ticket.token}")


def refund_line(refund: pb.RefundRequest) -> str:
    problem = next((name for name, value in PROBLEMS.items() if value == refund.problem), "")
    status = next((n for n, value in REFUND_STATUSES.items() if value == refund.status), "")
    parts = [f"Refund request {refund.request_id}", f"visit {refund.visit_id}", problem, status]
    if refund.status == pb.REFUND_STATUS_PENDING:
        parts.append(f"due {local_time(refund.due_by)}")
    if refund.amount_cents:
        parts.append(f"credited {dollars(refund.amount_cents)}")
    if refund.reason:
        parts.append(refund.reason)
    return "  ".join(parts)


def show_refund(refund: pb.RefundRequest) -> None:
    click.echo(refund_line(refund))
    if refund.status == pb.REFUND_STATUS_PENDING:
        click.echo("Reviewed within 72 hours; if approved, issued as a credit to your account.")


def show_refunds(page: pb.ListRefundRequestsResponse) -> None:
    for refund in page.requests:
        click.echo(refund_line(refund))
    if not page.requests:
        click.echo("No refund request.")
    say_next_page(page.next_page_token)


@click.group()
def visit() -> None:
    """Video visits: book, dial, join, cancel and end them; refunds of their minutes."""


@visit.command()
@facility_option
@resident_option
@click.option("--date", required=True, help="The facility's day, YYYY-MM-DD.")
@click.option("--minutes", default=0, help="A slot length the facility offers (default shortest).")
@in_facility_option
@json_option
@pass_connection
def availability(
    conn: Connection,
    facility: str,
    resident: str,
    date: str,
    minutes: int,
    in_facility: bool,
    as_json: bool,
) -> None:
    """The free slots of one facility-local day."""
    request = pb.ListAvailabilityRequest(
        facility_id=facility,
        resident_id=resident,
        date=date,
        slot_minutes=minutes,
        kind=kind_of(in_facility),
    )
    call_visitation(conn, "ListAvailability", request, as_json, show_availability)


@visit.command()
@facility_option
@resident_option
@click.option("--starts", required=True, help="When, e.g. 2026-03-08T10:00-06:00 (availability).")
@click.option("--minutes", required=True, type=int, help="The slot's length in minutes.")
@in_facility_option
@click.option("--client-key", default=None, help="Repeat a booking safely with its key.")
@json_option
@pass_connection
def schedule(
    conn: Connection,
    facility: str,
    resident: str,
    starts: str,
    minutes: int,
    in_facility: bool,
    client_key: str | None,
    as_json: bool,
) -> None:
    """Book a visit; a remote one is charged per connected minute, in facility is free."""
    request = pb.ScheduleVisitRequest(
        visit_id=key_of(client_key),
        facility_id=facility,
        resident_id=resident,
        kind=kind_of(in_facility),
        starts_at=parse_start(starts),
        slot_minutes=minutes,
    )
    call_visitation(conn, "ScheduleVisit", request, as_json, show_visit)


@visit.command()
@facility_option
@resident_option
@in_facility_option
@click.option("--client-key", default=None, help="Repeat a dial safely with its key.")
@json_option
@pass_connection
def dial(
    conn: Connection,
    facility: str,
    resident: str,
    in_facility: bool,
    client_key: str | None,
    as_json: bool,
) -> None:
    """Direct Dial: a visit now, if the resident and a station are free."""
    request = pb.DirectDialRequest(
        visit_id=key_of(client_key),
        facility_id=facility,
        resident_id=resident,
        kind=kind_of(in_facility),
    )
    call_visitation(conn, "DirectDial", request, as_json, show_visit)


@visit.command()
@click.argument("visit_id")
@click.option("--note", default="", help="Why (required for staff; the family sees it).")
@json_option
@pass_connection
def cancel(conn: Connection, visit_id: str, note: str, as_json: bool) -> None:
    """Cancel a scheduled visit; anything charged is credited in full."""
    request = pb.CancelVisitRequest(visit_id=visit_id, note=note)
    call_visitation(conn, "CancelVisit", request, as_json, show_visit)


@visit.command()
@click.argument("visit_id")
@json_option
@pass_connection
def show(conn: Connection, visit_id: str, as_json: bool) -> None:
    """One visit."""
    call_visitation(conn, "GetVisit", pb.GetVisitRequest(visit_id=visit_id), as_json, show_visit)


@visit.command(name="list")
@click.option("--facility", default="", help="Only this facility's (staff).")
@click.option("--resident", default="", help="Only this resident's.")
@click.option("--upcoming", is_flag=True, help="Only those not over yet.")
@page_size_option
@page_token_option
@json_option
@pass_connection
def list_visits(
    conn: Connection,
    facility: str,
    resident: str,
    upcoming: bool,
    page_size: int,
    page_token: str,
    as_json: bool,
) -> None:
    """Your visits (staff: your facilities'), soonest first."""
    request = pb.ListVisitsRequest(
        facility_id=facility,
        resident_id=resident,
        upcoming_only=upcoming,
        page_size=page_size,
        page_token=page_token,
    )
    call_visitation(conn, "ListVisits", request, as_json, show_visits)


@visit.command()
@facility_option
@click.option("--date", required=True, help="The facility's day, YYYY-MM-DD.")
@json_option
@pass_connection
def day(conn: Connection, facility: str, date: str, as_json: bool) -> None:
    """Staff: one day's visits per station, on the facility's clock."""
    request = pb.ListStationDayRequest(facility_id=facility, date=date)
    call_visitation(conn, "ListStationDay", request, as_json, show_day)


@visit.command()
@click.argument("visit_id")
@click.option("--station", is_flag=True, help="The resident's station's side (staff).")
@json_option
@pass_connection
def join(conn: Connection, visit_id: str, station: bool, as_json: bool) -> None:
    """A join ticket for the video room (from 5 minutes before the start to the end)."""
    side = pb.SIDE_STATION if station else pb.SIDE_VISITOR
    request = pb.GetJoinTicketRequest(visit_id=visit_id, side=side)
    call_visitation(conn, "GetJoinTicket", request, as_json, show_ticket)


@visit.command()
@click.argument("visit_id")
@click.option("--reason", default="", help="Why (required for staff; the family sees it).")
@json_option
@pass_connection
def end(conn: Connection, visit_id: str, reason: str, as_json: bool) -> None:
    """End a visit: hang up for good, or an officer ends it; charged for connected minutes."""
    request = pb.EndVisitRequest(visit_id=visit_id, reason=reason)
    call_visitation(conn, "EndVisit", request, as_json, show_visit)


@visit.command()
@click.argument("visit_id")
@click.option("--problem", required=True, type=click.Choice(sorted(PROBLEMS)))
@click.option("--description", default="", help="What happened.")
@click.option("--client-key", default=None, help="Repeat a request safely with its key.")
@json_option
@pass_connection
def refund(
    conn: Connection,
    visit_id: str,
    problem: str,
    description: str,
    client_key: str | None,
    as_json: bool,
) -> None:
    """Ask for a refund of an ended visit (problems on your end are not refunded)."""
    request = pb.RequestRefundRequest(
        request_id=key_of(client_key),
        visit_id=visit_id,
        problem=PROBLEMS[problem],
        description=description,
    )
    call_visitation(conn, "RequestRefund", request, as_json, show_refund)


@visit.command()
@click.option("--facility", default="", help="Only this facility's.")
@click.option("--status", default="", type=click.Choice(["", *REFUND_STATUSES]))
@page_size_option
@page_token_option
@json_option
@pass_connection
def refunds(
    conn: Connection, facility: str, status: str, page_size: int, page_token: str, as_json: bool
) -> None:
    """Refund requests (operators: all, overdue first; families: their own)."""
    request = pb.ListRefundRequestsRequest(
        facility_id=facility,
        status=REFUND_STATUSES.get(status, pb.REFUND_STATUS_UNSPECIFIED),
        page_size=page_size,
        page_token=page_token,
    )
    call_visitation(conn, "ListRefundRequests", request, as_json, show_refunds)


@visit.command()
@click.argument("request_id")
@click.option("--approve", "amount", default=None, help="Approve this many dollars, e.g. 1.50.")
@click.option("--deny", "reason", default="", help="Deny with a reason, e.g. caller_side.")
@click.option("--note", default="", help="A note the family sees.")
@json_option
@pass_connection
def decide(
    conn: Connection, request_id: str, amount: str | None, reason: str, note: str, as_json: bool
) -> None:
    """Operators: approve an amount (issued as a credit) or deny a refund request."""
    if (amount is None) == (not reason):
        raise click.UsageError("give either --approve AMOUNT or --deny REASON")
    request = pb.DecideRefundRequestRequest(
        request_id=request_id,
        approve=amount is not None,
        amount_cents=parse_dollars(amount) if amount is not None else 0,
        reason=reason,
        note=note,
    )
    call_visitation(conn, "DecideRefundRequest", request, as_json, show_refund)

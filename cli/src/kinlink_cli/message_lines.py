"""What the `kinlink message ...` commands share: calls to the messaging service, how a message
is shown (one line, its times in the terminal's time zone), and message bodies as options."""

from __future__ import annotations

import functools
import os
import uuid
from collections.abc import Callable
from datetime import datetime
from datetime import tzinfo
from typing import IO
from typing import Any
from typing import TypeVar
from zoneinfo import ZoneInfo
from zoneinfo import ZoneInfoNotFoundError

import click
from google.protobuf.message import Message
from google.protobuf.timestamp_pb2 import Timestamp
from kinlink.messaging.v1 import messaging_pb2 as pb
from kinlink.messaging.v1 import messaging_pb2_grpc

from kinlink_cli.connection import Connection
from kinlink_cli.connection import pass_connection
from kinlink_cli.identity import json_option
from kinlink_cli.identity import say_next_page
from kinlink_cli.money import dollars

Command = TypeVar("Command", bound=Callable[..., Any])

STATUS_NAMES = {
    # A send whose payment is not settled yet: the service answers a repeat with it as it is.
    pb.MESSAGE_STATUS_UNSPECIFIED: "not accepted yet: its payment is unsettled",
    pb.MESSAGE_STATUS_PENDING_REVIEW: "pending review",
    pb.MESSAGE_STATUS_APPROVED: "approved",
    pb.MESSAGE_STATUS_REJECTED: "rejected",
    pb.MESSAGE_STATUS_DELIVERED: "delivered",
    pb.MESSAGE_STATUS_READ: "read",
    pb.MESSAGE_STATUS_EXPIRED: "expired",
}


facility_option = click.option("--facility", required=True, help="The facility id, e.g. FAC-DEMO.")
resident_option = click.option("--resident", required=True, help="The resident id there.")
message_id_argument = click.argument("message_id")


def client_key(given: str | None) -> str:
    """The key that makes a retried command the same request: a new one is said on standard
    error (never mixed with --json's output) so the person can repeat the command with it."""
    if given:
        return given
    key = str(uuid.uuid4())
    click.echo(f"Client key {key}: if this fails, repeat it with --client-key {key}", err=True)
    return key


def call_messaging(
    conn: Connection,
    method: str,
    request: Message,
    as_json: bool,
    show: Callable[[Any], None],
) -> Any:
    """Call one MessagingService method, print its answer (JSON or `show`) and return it."""
    return conn.answer(messaging_pb2_grpc.MessagingServiceStub, method, request, as_json, show)


def message_command(
    name: str,
    method: str,
    request_type: Callable[..., Message],
    show: Callable[[Any], None],
    help: str,
) -> click.Command:
    """`kinlink message NAME MESSAGE_ID`: `method` on that message, which it then shows."""

    @click.command(name=name, help=help)
    @message_id_argument
    @json_option
    @pass_connection
    def command(conn: Connection, message_id: str, as_json: bool) -> None:
        call_messaging(conn, method, request_type(message_id=message_id), as_json, show)

    return command


def terminal_zone() -> tzinfo:
    """The zone the person at the terminal reads times in: TZ when it names one, else the
    machine's."""
    try:
        return ZoneInfo(os.environ.get("TZ", "").removeprefix(":"))
    except (ZoneInfoNotFoundError, ValueError):
        zone = datetime.now().astimezone().tzinfo
        assert zone is not None  # astimezone() always sets one
        return zone


def local_time(moment: Timestamp) -> str:
    """E.g. `2026-12-06 16:52 CST`: minutes are enough, the zone named so nobody guesses."""
    at = moment.ToDatetime(tzinfo=ZoneInfo("UTC")).astimezone(terminal_zone())
    return at.strftime("%Y-%m-%d %H:%M %Z")


def message_line(message: pb.Message) -> str:
    """One line a message: id, when, who, its status (the reason of a rejection, the expiry of
    a read message), the price and its images."""
    sent = local_time(message.sent_at) if message.HasField("sent_at") else "not sent"
    way = "from" if message.direction == pb.MESSAGE_DIRECTION_FROM_RESIDENT else "to"
    status = STATUS_NAMES.get(message.status, "unknown")
    if message.rejection_reason:
        status += f": {message.rejection_reason}"
    if message.HasField("expires_at"):
        status += f", expires {local_time(message.expires_at)}"
    parts = [
        message.message_id,
        sent,
        f"{way} {message.resident_id} at {message.facility_id}",
        status,
    ]
    if message.collect_unpaid:
        parts.append(f"collect: `kinlink message open-collect {message.message_id}` to pay")
    elif message.charged_cents:
        parts.append(dollars(message.charged_cents))
    if message.images:
        parts.append(f"{len(message.images)} image{'s' if len(message.images) > 1 else ''}")
    return "  ".join(parts)


def show_message(message: pb.Message) -> None:
    click.echo(message_line(message))


def show_message_with_body(message: pb.Message) -> None:
    """The line, then the body and the images' indexes, as someone reading it wants them."""
    show_message(message)
    for line in message.body.splitlines():
        click.echo(f"  {line}")
    for image in message.images:
        click.echo(
            f"  image {image.index}: {image.content_type} {image.width}x{image.height}"
            f" (`kinlink message image {message.message_id} --index {image.index} --out FILE`)"
        )


def show_messages(empty: str, *, with_bodies: bool = False) -> Callable[[Any], None]:
    """A `show` for a page of messages (inbox, sent, a resident's)."""
    show = show_message_with_body if with_bodies else show_message

    def showing(page: Any) -> None:
        for message in page.messages:
            show(message)
        if not page.messages:
            click.echo(empty)
        say_next_page(page.next_page_token)

    return showing


def body_options(command: Command) -> Command:
    """`--body TEXT` or `--body-file FILE` (`-` for standard input), passed on as `body`. An
    empty body is the service's to refuse (`body_missing`), as it may come with images."""

    @click.option("--body", "body_text", help="The message's text.")
    @click.option(
        "--body-file",
        type=click.File("r", encoding="utf-8"),
        help="Read the text from this file (- for standard input).",
    )
    @functools.wraps(command)
    def with_body(*args: Any, **kwargs: Any) -> Any:
        text: str | None = kwargs.pop("body_text")
        file: IO[str] | None = kwargs.pop("body_file")
        if text is not None and file is not None:
            raise click.UsageError("give --body or --body-file, not both")
        kwargs["body"] = file.read() if file is not None else text or ""
        return command(*args, **kwargs)

    return with_body  # type: ignore[return-value]

"""`kinlink message ...` for staff: officers review their facility's messages; a facility's
systems (kiosks, tablets) list a resident's messages, post their replies and say what they
read. `messages` adds these commands to the `message` group."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from uuid import UUID

import click
from kinlink.messaging.v1 import messaging_pb2 as pb

from kinlink_cli.connection import Connection
from kinlink_cli.connection import pass_connection
from kinlink_cli.identity import json_option
from kinlink_cli.identity import page_size_option
from kinlink_cli.identity import page_token_option
from kinlink_cli.identity import say_next_page
from kinlink_cli.message_lines import body_options
from kinlink_cli.message_lines import call_messaging
from kinlink_cli.message_lines import client_key
from kinlink_cli.message_lines import facility_option
from kinlink_cli.message_lines import message_command
from kinlink_cli.message_lines import message_id_argument
from kinlink_cli.message_lines import resident_option
from kinlink_cli.message_lines import show_message
from kinlink_cli.message_lines import show_message_with_body
from kinlink_cli.message_lines import show_messages


def show_queue(thumbnails_to: Path | None) -> Callable[[pb.ListReviewQueueResponse], None]:
    """Each message waiting with its body; its thumbnails saved where the officer asked."""

    def showing(page: pb.ListReviewQueueResponse) -> None:
        for item in page.items:
            show_message_with_body(item.message)
            if thumbnails_to is None:
                continue
            for index, thumbnail in enumerate(item.thumbnails):
                path = thumbnails_to / f"{item.message.message_id}-{index}.jpg"
                path.write_bytes(thumbnail)
                click.echo(f"  thumbnail {index}: {path}")
        if not page.items:
            click.echo("No message waits for review.")
        say_next_page(page.next_page_token)

    return showing


@click.command(name="review-queue")
@facility_option
@click.option(
    "--thumbnails-to",
    type=click.Path(file_okay=False, exists=True, writable=True, path_type=Path),
    help="Save each image's thumbnail in this folder.",
)
@page_size_option
@page_token_option
@json_option
@pass_connection
def review_queue(
    conn: Connection,
    facility: str,
    thumbnails_to: Path | None,
    page_size: int,
    page_token: str,
    as_json: bool,
) -> None:
    """Officers: the facility's messages waiting for review, the longest waiting first."""
    request = pb.ListReviewQueueRequest(
        facility_id=facility, page_size=page_size, page_token=page_token
    )
    call_messaging(conn, "ListReviewQueue", request, as_json, show_queue(thumbnails_to))


approve = message_command(
    "approve",
    "ApproveMessage",
    pb.ApproveMessageRequest,
    show_message,
    help="Officers: approve a message waiting for review; it is delivered at once.",
)


@click.command()
@message_id_argument
@click.option("--reason", required=True, help="Why, as the sender will read it.")
@json_option
@pass_connection
def reject(conn: Connection, message_id: str, reason: str, as_json: bool) -> None:
    """Officers: reject a message waiting for review, with the reason its sender sees."""
    request = pb.RejectMessageRequest(message_id=message_id, reason=reason)
    call_messaging(conn, "RejectMessage", request, as_json, show_message)


@click.command()
@facility_option
@resident_option
@click.option(
    "--to-account", required=True, type=click.UUID, help="The family member's account id."
)
@body_options
@click.option("--collect", is_flag=True, help="The family member pays when opening it.")
@click.option("--client-key", "key", help="Repeat a reply safely with the key it printed.")
@json_option
@pass_connection
def reply(
    conn: Connection,
    facility: str,
    resident: str,
    to_account: UUID,
    body: str,
    collect: bool,
    key: str | None,
    as_json: bool,
) -> None:
    """Facility systems: post a resident's reply to a family member they corresponded with."""
    request = pb.PostReplyRequest(
        client_key=client_key(key),
        facility_id=facility,
        resident_id=resident,
        account_id=str(to_account),
        body=body,
        collect=collect,
    )
    call_messaging(conn, "PostReply", request, as_json, show_message)


@click.command(name="resident-messages")
@facility_option
@resident_option
@page_size_option
@page_token_option
@json_option
@pass_connection
def resident_messages(
    conn: Connection,
    facility: str,
    resident: str,
    page_size: int,
    page_token: str,
    as_json: bool,
) -> None:
    """Facility systems: a resident's messages both ways, newest first, with their text."""
    request = pb.ListResidentMessagesRequest(
        facility_id=facility, resident_id=resident, page_size=page_size, page_token=page_token
    )
    show = show_messages("No message.", with_bodies=True)
    call_messaging(conn, "ListResidentMessages", request, as_json, show)


mark_read = message_command(
    "mark-read",
    "MarkReadByResident",
    pb.MarkReadByResidentRequest,
    show_message,
    help="Facility systems: the resident opened this message (it expires 14 days later).",
)

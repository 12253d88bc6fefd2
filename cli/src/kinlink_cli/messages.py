"""`kinlink message ...`: families send messages and photos to residents, read their inbox and
sent messages, pay for collect messages, keep drafts and block residents. Officers' and
facility systems' commands are in `message_review`."""

from __future__ import annotations

import json
import mimetypes
from pathlib import Path

import click
from kinlink.messaging.v1 import messaging_pb2 as pb
from kinlink.messaging.v1 import messaging_pb2_grpc

from kinlink_cli.connection import Connection
from kinlink_cli.connection import pass_connection
from kinlink_cli.identity import json_option
from kinlink_cli.identity import page_size_option
from kinlink_cli.identity import page_token_option
from kinlink_cli.identity import say
from kinlink_cli.identity import say_next_page
from kinlink_cli.message_lines import body_options
from kinlink_cli.message_lines import call_messaging
from kinlink_cli.message_lines import client_key
from kinlink_cli.message_lines import facility_option
from kinlink_cli.message_lines import local_time
from kinlink_cli.message_lines import message_command
from kinlink_cli.message_lines import message_id_argument
from kinlink_cli.message_lines import resident_option
from kinlink_cli.message_lines import show_message
from kinlink_cli.message_lines import show_message_with_body
from kinlink_cli.message_lines import show_messages
from kinlink_cli.message_review import approve
from kinlink_cli.message_review import mark_read
from kinlink_cli.message_review import reject
from kinlink_cli.message_review import reply
from kinlink_cli.message_review import resident_messages
from kinlink_cli.message_review import review_queue
from kinlink_cli.output import as_dict


def image_upload(path: Path) -> pb.ImageUpload:
    """The file as sent; what it really is the service finds out from its bytes."""
    content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return pb.ImageUpload(file_name=path.name, content_type=content_type, content=path.read_bytes())


@click.group()
def message() -> None:
    """Messages and photos between families and residents (what the FAQ calls email). Each
    message and each image is paid from your messaging subscription."""


@message.command()
@facility_option
@resident_option
@body_options
@click.option(
    "--image",
    "images",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A JPEG or PNG photo; repeat for more (the facility sets how many).",
)
@click.option("--draft", "draft_id", default="", help="The draft this sends (it is deleted).")
@click.option("--client-key", "key", help="Repeat a send safely with the key it printed.")
@json_option
@pass_connection
def send(
    conn: Connection,
    facility: str,
    resident: str,
    body: str,
    images: tuple[Path, ...],
    draft_id: str,
    key: str | None,
    as_json: bool,
) -> None:
    """Send a message (and photos) to a resident: charged before it is accepted."""
    request = pb.SendMessageRequest(
        client_key=client_key(key),
        facility_id=facility,
        resident_id=resident,
        body=body,
        images=[image_upload(path) for path in images],
        draft_id=draft_id,
    )
    call_messaging(conn, "SendMessage", request, as_json, show_message)


@message.command()
@page_size_option
@page_token_option
@json_option
@pass_connection
def inbox(conn: Connection, page_size: int, page_token: str, as_json: bool) -> None:
    """Messages residents sent you, newest first (`message read ID` opens one)."""
    request = pb.ListInboxRequest(page_size=page_size, page_token=page_token)
    call_messaging(conn, "ListInbox", request, as_json, show_messages("Your inbox is empty."))


@message.command()
@page_size_option
@page_token_option
@json_option
@pass_connection
def sent(conn: Connection, page_size: int, page_token: str, as_json: bool) -> None:
    """Messages you sent, newest first, with their status (and the reason of a rejection)."""
    request = pb.ListSentRequest(page_size=page_size, page_token=page_token)
    call_messaging(conn, "ListSent", request, as_json, show_messages("You sent no message yet."))


message.add_command(
    message_command(
        "read",
        "GetMessage",
        pb.GetMessageRequest,
        show_message_with_body,
        help="Open a message: a resident's expires 14 days after you first read it.",
    )
)
message.add_command(
    message_command(
        "open-collect",
        "OpenCollectMessage",
        pb.OpenCollectMessageRequest,
        show_message_with_body,
        help="Pay for a resident's collect message (once) and read it.",
    )
)


@message.command()
@message_id_argument
@click.option("--index", default=0, show_default=True, help="The image's index in its message.")
@click.option(
    "--out",
    required=True,
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="The file to write the image to.",
)
@click.option("--thumbnail", is_flag=True, help="The small version rather than the image.")
@json_option
@pass_connection
def image(
    conn: Connection, message_id: str, index: int, out: Path, thumbnail: bool, as_json: bool
) -> None:
    """Save an image of a message to a file, or print the short-lived link to it where the
    service gives one instead."""
    request = pb.GetImageRequest(message_id=message_id, image_index=index, thumbnail=thumbnail)
    result = conn.call(messaging_pb2_grpc.MessagingServiceStub, "GetImage", request, as_json)
    if not result.url:
        out.write_bytes(result.content)
    if as_json:
        shown = as_dict(result)
        shown.pop("content")
        click.echo(json.dumps({**shown, "written_to": "" if result.url else str(out)}, indent=2))
    elif result.url:
        click.echo(f"Valid until {local_time(result.url_expires_at)}: {result.url}")
    else:
        click.echo(f"Saved {out} ({result.content_type}, {len(result.content):,} bytes)")


def show_draft(draft: pb.Draft) -> None:
    first_line = draft.body.splitlines()[0] if draft.body else "(empty)"
    click.echo(
        f"{draft.draft_id}  saved {local_time(draft.saved_at)}"
        f"  to {draft.resident_id} at {draft.facility_id}  {first_line}"
    )


def show_drafts(page: pb.ListDraftsResponse) -> None:
    for draft in page.drafts:
        show_draft(draft)
    if not page.drafts:
        click.echo("No drafts.")
    say_next_page(page.next_page_token)


@message.group()
def draft() -> None:
    """Messages being written: saved, listed, edited and deleted; `message send --draft ID`
    sends one."""


@draft.command(name="save")
@click.option("--draft", "draft_id", default="", help="Replace this draft's text.")
@click.option("--facility", default="", help="A new draft's facility id.")
@click.option("--resident", default="", help="A new draft's resident id.")
@body_options
@click.option("--client-key", "key", help="Repeat a new draft's save safely with its key.")
@json_option
@pass_connection
def save_draft(
    conn: Connection,
    draft_id: str,
    facility: str,
    resident: str,
    body: str,
    key: str | None,
    as_json: bool,
) -> None:
    """Save a new draft (--facility, --resident) or replace one's text (--draft)."""
    if not draft_id and not (facility and resident):
        raise click.UsageError("a new draft needs --facility and --resident; or give --draft")
    request = pb.SaveDraftRequest(
        draft_id=draft_id,
        client_key="" if draft_id else client_key(key),
        facility_id=facility,
        resident_id=resident,
        body=body,
    )
    call_messaging(conn, "SaveDraft", request, as_json, show_draft)


@draft.command(name="list")
@page_size_option
@page_token_option
@json_option
@pass_connection
def list_drafts(conn: Connection, page_size: int, page_token: str, as_json: bool) -> None:
    """Your drafts, the most recently saved first."""
    request = pb.ListDraftsRequest(page_size=page_size, page_token=page_token)
    call_messaging(conn, "ListDrafts", request, as_json, show_drafts)


@draft.command(name="delete")
@click.argument("draft_id")
@json_option
@pass_connection
def delete_draft(conn: Connection, draft_id: str, as_json: bool) -> None:
    """Delete a draft."""
    request = pb.DeleteDraftRequest(draft_id=draft_id)
    call_messaging(conn, "DeleteDraft", request, as_json, say(f"Draft {draft_id} deleted."))


def show_blocked(blocked: pb.BlockedResident) -> None:
    click.echo(
        f"{blocked.resident_id} at {blocked.facility_id}  blocked {local_time(blocked.blocked_at)}"
    )


def show_all_blocked(result: pb.ListBlockedResidentsResponse) -> None:
    for blocked in result.residents:
        show_blocked(blocked)
    if not result.residents:
        click.echo("You blocked no resident.")


@message.command()
@facility_option
@resident_option
@json_option
@pass_connection
def block(conn: Connection, facility: str, resident: str, as_json: bool) -> None:
    """Refuse a resident's messages from now on (those received stay)."""
    request = pb.BlockResidentRequest(facility_id=facility, resident_id=resident)
    call_messaging(conn, "BlockResident", request, as_json, show_blocked)


@message.command()
@facility_option
@resident_option
@json_option
@pass_connection
def unblock(conn: Connection, facility: str, resident: str, as_json: bool) -> None:
    """Receive a resident's messages again."""
    request = pb.UnblockResidentRequest(facility_id=facility, resident_id=resident)
    done = say(f"{resident} at {facility} may message you again.")
    call_messaging(conn, "UnblockResident", request, as_json, done)


@message.command()
@json_option
@pass_connection
def blocked(conn: Connection, as_json: bool) -> None:
    """The residents you blocked, the most recent first."""
    request = pb.ListBlockedResidentsRequest()
    call_messaging(conn, "ListBlockedResidents", request, as_json, show_all_blocked)


for staff_command in (review_queue, approve, reject, reply, resident_messages, mark_read):
    message.add_command(staff_command)

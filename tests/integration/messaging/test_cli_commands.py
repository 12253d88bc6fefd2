"""The `kinlink message ...` commands against the messaging service served over gRPC, as
families, officers and facility systems use them: one line a message, times in the terminal's
time zone, money in dollars, refusals by their stable codes."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from uuid import UUID
from uuid import uuid4

import pytest
from click.testing import Result
from kinlink_kit.auth import Role
from kinlink_kit.testing import Clock
from kinlink_messaging.bootstrap import prepare_upload
from kinlink_messaging.domain import ids
from kinlink_messaging.service_layer.messaging import Messaging
from kinlink_messaging.service_layer.messaging import PrepareImage
from PIL import Image
from structlog.testing import capture_logs

from tests.cli_in_thread import CliInThread
from tests.conftest import TokenKeys
from tests.integration.messaging.conftest import Outside
from tests.integration.messaging.conftest import reply
from tests.integration.messaging.sent import sent_message
from tests.messaging_doubles import FACILITY
from tests.messaging_doubles import RESIDENT
from tests.messaging_doubles import REVIEWING_FACILITY

# The tests' clock stands at 2026-11-25 18:00 UTC: noon in the terminal's zone (Chicago).


class Kinlink(CliInThread):
    group = "message"


def refused_with(result: Result, code: str) -> bool:
    return result.exit_code == 1 and f"error: {code}" in result.stderr


@pytest.fixture
def prepare_image() -> PrepareImage:
    """As the service runs: the photos the CLI uploads are checked and re-encoded."""
    return prepare_upload


@pytest.fixture
async def kinlink(messaging_address: str, tmp_path: Path) -> AsyncIterator[Kinlink]:
    # The CLI's output is captured by swapping sys.stdout for the whole process: the service's
    # log lines are kept aside, or they would land in the middle of it.
    with capture_logs():
        yield Kinlink(messaging_address, tmp_path / "config")


def officer(token_keys: TokenKeys, facility_id: str = REVIEWING_FACILITY) -> str:
    return token_keys.token("officer-1", Role.FACILITY_OFFICER, facilities=[facility_id])


def kiosk(token_keys: TokenKeys) -> str:
    return token_keys.token("kiosk", Role.FACILITY_INTEGRATION, facilities=[FACILITY])


def family_member(token_keys: TokenKeys, account_id: UUID) -> str:
    return token_keys.token(str(account_id), Role.FAMILY_MEMBER)


async def test_an_officer_sees_the_queue_oldest_first_then_approves_and_rejects_with_a_reason(
    kinlink: Kinlink,
    messaging: Messaging,
    token_keys: TokenKeys,
    clock: Clock,
    family: UUID,
    tmp_path: Path,
) -> None:
    first = sent_message(
        messaging, family, REVIEWING_FACILITY, RESIDENT, client_key="a", thumbnails=(b"t0",)
    )
    clock.now += timedelta(minutes=1)
    second = sent_message(
        messaging, family, REVIEWING_FACILITY, RESIDENT, client_key="b", body="Second one."
    )
    token = officer(token_keys)

    queue = await kinlink(
        "review-queue",
        f"--facility={REVIEWING_FACILITY}",
        f"--thumbnails-to={tmp_path}",
        token=token,
    )
    assert queue.exit_code == 0, queue.output
    assert queue.stdout.splitlines() == [
        f"{first.id}  2026-11-25 12:00 CST  to {RESIDENT} at {REVIEWING_FACILITY}"
        "  pending review  $1.50  1 image",
        "  Hello from home.",
        f"  image 0: image/jpeg 800x600 (`kinlink message image {first.id} --index 0 --out FILE`)",
        f"  thumbnail 0: {tmp_path / f'{first.id}-0.jpg'}",
        f"{second.id}  2026-11-25 12:01 CST  to {RESIDENT} at {REVIEWING_FACILITY}"
        "  pending review  $0.50",
        "  Second one.",
    ]
    assert (tmp_path / f"{first.id}-0.jpg").read_bytes() == b"t0"

    approved = await kinlink("approve", str(first.id), token=token)
    assert approved.exit_code == 0, approved.output
    assert "  delivered  " in approved.stdout
    rejected = await kinlink(
        "reject", str(second.id), "--reason=No photos of other residents.", token=token
    )
    assert rejected.exit_code == 0, rejected.output
    assert "  rejected: No photos of other residents.  $0.50" in rejected.stdout

    again = await kinlink("approve", str(second.id), token=token)
    assert refused_with(again, "message_already_decided")
    sent = await kinlink("sent", token=family_member(token_keys, family))
    assert sent.stdout.splitlines() == [
        f"{second.id}  2026-11-25 12:01 CST  to {RESIDENT} at {REVIEWING_FACILITY}"
        "  rejected: No photos of other residents.  $0.50",
        f"{first.id}  2026-11-25 12:00 CST  to {RESIDENT} at {REVIEWING_FACILITY}"
        "  delivered  $1.50  1 image",
    ]
    assert await kinlink.json("review-queue", f"--facility={REVIEWING_FACILITY}", token=token) == {
        "items": [],
        "next_page_token": "",
    }


async def test_an_officer_of_another_facility_is_refused_naming_the_facility(
    kinlink: Kinlink, token_keys: TokenKeys
) -> None:
    elsewhere = await kinlink(
        "review-queue", f"--facility={REVIEWING_FACILITY}", token=officer(token_keys, FACILITY)
    )
    assert refused_with(elsewhere, "facility_out_of_scope (facility_id)")
    as_json = await kinlink(
        "reject",
        "not-a-message-id",
        "--reason=late",
        "--json",
        token=officer(token_keys),
    )
    assert as_json.exit_code == 1
    assert json.loads(as_json.stdout)["error"]["code"] == "message_id_invalid"


async def test_a_facility_system_posts_a_reply_once_per_key_lists_and_marks_what_was_read(
    kinlink: Kinlink, messaging: Messaging, token_keys: TokenKeys, clock: Clock, family: UUID
) -> None:
    delivered = sent_message(messaging, family, FACILITY, RESIDENT)
    clock.now += timedelta(minutes=1)
    token = kiosk(token_keys)
    where = (f"--facility={FACILITY}", f"--resident={RESIDENT}")

    posted = await kinlink(
        "reply", *where, f"--to-account={family}", "--body=Thank you!", "--collect", token=token
    )
    assert posted.exit_code == 0, posted.output
    message_id, *_ = posted.stdout.split()
    assert (
        f"  from {RESIDENT} at {FACILITY}  delivered"
        f"  collect: `kinlink message open-collect {message_id}` to pay"
    ) in posted.stdout
    key = posted.stderr.split()[2].rstrip(":")
    repeated = await kinlink.json(
        "reply",
        *where,
        f"--to-account={family}",
        "--body=Thank you!",
        "--collect",
        f"--client-key={key}",
        token=token,
    )
    assert repeated["message_id"] == message_id

    listed = await kinlink("resident-messages", *where, token=token)
    assert listed.exit_code == 0, listed.output
    lines = listed.stdout.splitlines()
    assert [line.split()[0] for line in lines if not line.startswith(" ")] == [
        message_id,
        str(delivered.id),
    ]
    assert "  Hello from home." in lines

    read = await kinlink("mark-read", str(delivered.id), token=token)
    assert read.exit_code == 0, read.output
    # Read at 18:01 UTC: it expires 336 hours later, 12:01 in Chicago on 9 December.
    assert "  read, expires 2026-12-09 12:01 CST  $0.50" in read.stdout

    no_body = await kinlink("reply", *where, f"--to-account={family}", token=token)
    assert refused_with(no_body, "body_missing (body)")


async def test_a_send_is_charged_once_per_client_key_listed_as_sent_and_its_image_saved(
    kinlink: Kinlink, token_keys: TokenKeys, outside: Outside, family: UUID, tmp_path: Path
) -> None:
    token = family_member(token_keys, family)
    photo = tmp_path / "IMG_0042.jpg"
    Image.new("RGB", (120, 90), (200, 30, 30)).save(photo, "JPEG")
    where = (f"--facility={FACILITY}", f"--resident={RESIDENT}")

    sent = await kinlink("send", *where, "--body=Hello from home.", f"--image={photo}", token=token)
    assert sent.exit_code == 0, sent.output
    message_id = sent.stdout.split()[0]
    assert sent.stdout == (
        f"{message_id}  2026-11-25 12:00 CST  to {RESIDENT} at {FACILITY}  delivered  $1.50"
        "  1 image\n"
    )
    key = sent.stderr.split()[2].rstrip(":")
    assert f"repeat it with --client-key {key}" in sent.stderr
    again = await kinlink.json(
        "send",
        *where,
        "--body=Hello from home.",
        f"--image={photo}",
        f"--client-key={key}",
        token=token,
    )
    assert again["message_id"] == message_id
    assert outside.wallet.balances[family] == 1000 - 150, "charged once"

    listed = await kinlink("sent", token=token)
    assert listed.exit_code == 0, listed.output
    assert listed.stdout == sent.stdout

    saved = tmp_path / "saved.jpg"
    image = await kinlink("image", message_id, "--index=0", f"--out={saved}", token=token)
    assert image.exit_code == 0, image.output
    assert image.stdout.startswith(f"Saved {saved} (image/jpeg, ")
    with Image.open(saved) as stored:
        assert (stored.format, stored.size) == ("JPEG", (120, 90))
    thumbnail = await kinlink.json(
        "image", message_id, "--thumbnail", f"--out={saved}", token=token
    )
    assert thumbnail == {"content_type": "image/jpeg", "url": "", "written_to": str(saved)}
    with Image.open(saved) as small:
        assert small.format == "JPEG"


async def test_a_send_without_credit_or_text_is_refused_by_its_code(
    kinlink: Kinlink, token_keys: TokenKeys, family: UUID
) -> None:
    where = (f"--facility={FACILITY}", f"--resident={RESIDENT}")
    broke = await kinlink("send", *where, "--body=Hi", token=family_member(token_keys, uuid4()))
    assert refused_with(broke, "insufficient_credit")
    empty = await kinlink("send", *where, "--json", token=family_member(token_keys, family))
    assert empty.exit_code == 1
    error = json.loads(empty.stdout)["error"]
    assert (error["status"], error["code"], error["field"]) == (
        "INVALID_ARGUMENT",
        "body_missing",
        "body",
    )


async def test_a_send_the_wallet_could_not_take_is_repeated_with_the_key_it_printed(
    kinlink: Kinlink, token_keys: TokenKeys, outside: Outside, family: UUID
) -> None:
    token = family_member(token_keys, family)
    where = (f"--facility={FACILITY}", f"--resident={RESIDENT}", "--body=Hi")
    outside.wallet.unreachable = True
    failed = await kinlink("send", *where, token=token)
    assert refused_with(failed, "wallet_unavailable")
    key = failed.stderr.split()[2].rstrip(":")

    outside.wallet.unreachable = False
    # The same send, still awaiting the sweep's word on its payment: refused again, not doubled.
    repeated = await kinlink("send", *where, f"--client-key={key}", token=token)
    assert refused_with(repeated, "wallet_unavailable")
    another = await kinlink.json("send", *where, token=token)
    assert another["message_id"] != str(ids.message_id(family, key))
    assert [p.amount_cents for p in outside.wallet.charged(family)] == [50]


async def test_drafts_are_saved_edited_listed_sent_and_deleted(
    kinlink: Kinlink, token_keys: TokenKeys, family: UUID, tmp_path: Path
) -> None:
    token = family_member(token_keys, family)
    where = (f"--facility={FACILITY}", f"--resident={RESIDENT}")
    saved = await kinlink.json("draft", "save", *where, "--body=Dear Sam,", token=token)
    draft_id = saved["draft_id"]
    letter = tmp_path / "letter.txt"
    letter.write_text("Dear Sam,\nWe miss you.\n", encoding="utf-8")
    edited = await kinlink(
        "draft", "save", f"--draft={draft_id}", f"--body-file={letter}", token=token
    )
    assert edited.exit_code == 0, edited.output
    assert edited.stdout == (
        f"{draft_id}  saved 2026-11-25 12:00 CST  to {RESIDENT} at {FACILITY}  Dear Sam,\n"
    )
    other = await kinlink.json("draft", "save", *where, "--body=", token=token)
    listed = await kinlink("draft", "list", token=token)
    assert listed.exit_code == 0, listed.output
    assert sorted(line.split()[0] for line in listed.stdout.splitlines()) == sorted(
        [draft_id, other["draft_id"]]
    )
    assert "  (empty)" in listed.stdout

    sent = await kinlink.json(
        "send", *where, f"--body-file={letter}", f"--draft={draft_id}", token=token
    )
    assert sent["status"] == "MESSAGE_STATUS_DELIVERED"
    deleted = await kinlink("draft", "delete", other["draft_id"], token=token)
    assert deleted.stdout == f"Draft {other['draft_id']} deleted.\n"
    assert (await kinlink("draft", "list", token=token)).stdout == "No drafts.\n"
    gone = await kinlink("draft", "delete", draft_id, token=token)
    assert refused_with(gone, "draft_not_found (draft_id)")
    no_resident = await kinlink("draft", "save", "--body=Hi", token=token)
    assert no_resident.exit_code == 2, "a new draft needs its resident"


async def test_a_blocked_residents_reply_is_refused_until_unblocked(
    kinlink: Kinlink, messaging: Messaging, token_keys: TokenKeys, family: UUID
) -> None:
    sent_message(messaging, family, FACILITY, RESIDENT)
    token = family_member(token_keys, family)
    where = (f"--facility={FACILITY}", f"--resident={RESIDENT}")
    blocked = await kinlink("block", *where, token=token)
    assert blocked.exit_code == 0, blocked.output
    line = f"{RESIDENT} at {FACILITY}  blocked 2026-11-25 12:00 CST\n"
    assert blocked.stdout == line
    assert (await kinlink("blocked", token=token)).stdout == line
    reply = ("reply", *where, f"--to-account={family}", "--body=Hi")
    refused = await kinlink(*reply, token=kiosk(token_keys))
    assert refused_with(refused, "resident_blocked (resident_id)")

    unblocked = await kinlink("unblock", *where, token=token)
    assert unblocked.stdout == f"{RESIDENT} at {FACILITY} may message you again.\n"
    assert (await kinlink("blocked", token=token)).stdout == "You blocked no resident.\n"
    assert (await kinlink(*reply, token=kiosk(token_keys))).exit_code == 0


async def test_a_collect_message_shows_nothing_until_paid_then_reads_with_its_image(
    kinlink: Kinlink,
    messaging: Messaging,
    outside: Outside,
    token_keys: TokenKeys,
    family: UUID,
    tmp_path: Path,
) -> None:
    message_id = str(reply(messaging, outside, family, collect=True).id)
    token = family_member(token_keys, family)
    inbox = await kinlink("inbox", token=token)
    assert inbox.stdout == (
        f"{message_id}  2026-11-25 12:00 CST  from {RESIDENT} at {FACILITY}  delivered"
        f"  collect: `kinlink message open-collect {message_id}` to pay\n"
    )
    unpaid = await kinlink("read", message_id, token=token)
    assert refused_with(unpaid, "collect_message_unpaid")

    opened = await kinlink("open-collect", message_id, token=token)
    assert opened.exit_code == 0, opened.output
    assert opened.stdout.splitlines() == [
        f"{message_id}  2026-11-25 12:00 CST  from {RESIDENT} at {FACILITY}"
        "  read, expires 2026-12-09 12:00 CST  $0.50  1 image",
        "  Thank you for writing",
        f"  image 0: image/jpeg 640x480"
        f" (`kinlink message image {message_id} --index 0 --out FILE`)",
    ]
    assert outside.wallet.balances[family] == 1000 - 50

    def signed_url(key: str, lifetime: timedelta) -> str:
        return f"https://objects.example/{key}?signature=s"

    outside.images.signed_url = signed_url  # type: ignore[method-assign]
    out = tmp_path / "photo.jpg"
    linked = await kinlink("image", message_id, f"--out={out}", token=token)
    assert linked.exit_code == 0, linked.output
    assert linked.stdout == (
        "Valid until 2026-11-25 12:05 CST:"
        f" https://objects.example/messages/{message_id}/0.jpg?signature=s\n"
    )
    assert not out.exists(), "nothing written where the service gives a link"

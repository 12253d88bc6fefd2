"""LiveKit's webhook, called as the server calls it: an event signed with the key's secret and
naming its body's hash reaches the handler as a room report; nothing else does."""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from typing import Any

import httpx
import pytest
from kinlink_kit.errors import NotFound
from kinlink_kit.errors import Unavailable
from kinlink_visitation.domain.video import RoomChange
from kinlink_visitation.domain.video import RoomReport
from kinlink_visitation.domain.visit import Side
from kinlink_visitation.entrypoints.video_webhook import create_video_webhook
from livekit import api
from prometheus_client import REGISTRY
from structlog.testing import capture_logs

KEY, SECRET = "kinlink-test", "a-secret-of-the-test-key-0123456789abcdef"
ROOM = "6f0c61e4-6d1b-4b0e-9a43-2b7f27c0d8a1"
JOINED_MS = 1_796_630_960_141  # LiveKit's clock, in milliseconds
JOINED_AT = datetime.fromtimestamp(JOINED_MS / 1000, UTC)
EVENT_SECOND = datetime.fromtimestamp(JOINED_MS // 1000 + 1, UTC)  # the events' `createdAt`
RECEIVED_AT = EVENT_SECOND + timedelta(milliseconds=300)


@dataclass
class RecordingRooms:
    failure: Exception | None = None
    reports: list[RoomReport] = field(default_factory=list)

    def report(self, report: RoomReport) -> None:
        if self.failure:
            raise self.failure
        self.reports.append(report)


def event(kind: str, identity: str = "visitor", **participant: Any) -> str:
    body = {
        "event": kind,
        "id": "EV_test",
        "createdAt": str(JOINED_MS // 1000 + 1),
        "room": {"sid": "RM_test", "name": ROOM},
    }
    if kind.startswith("participant_"):
        body["participant"] = {
            "sid": "PA_test",
            "identity": identity,
            "joinedAtMs": str(JOINED_MS),
            **participant,
        }
    return json.dumps(body)


def signature(body: str, secret: str = SECRET, key: str = KEY) -> str:
    digest = base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()
    token = api.AccessToken(key, secret).with_sha256(digest).with_ttl(timedelta(minutes=5))
    return token.to_jwt()


async def post(
    rooms: RecordingRooms,
    body: str,
    authorization: str | None,
    received_at: datetime = RECEIVED_AT,
) -> httpx.Response:
    app = create_video_webhook(rooms.report, KEY, SECRET, lambda: received_at)
    headers = {"Content-Type": "application/webhook+json"}
    if authorization is not None:
        headers["Authorization"] = authorization
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://webhook") as client:
        return await client.post("/video/livekit", content=body, headers=headers)


def counted(outcome: str) -> float:
    return REGISTRY.get_sample_value("kinlink_video_webhooks_total", {"outcome": outcome}) or 0.0


async def test_a_signed_join_reaches_the_handler_at_the_participants_millisecond() -> None:
    rooms = RecordingRooms()
    body = event("participant_joined")
    before = counted("accepted")

    response = await post(rooms, body, signature(body))

    assert response.status_code == 204
    assert rooms.reports == [RoomReport(ROOM, RoomChange.JOINED, JOINED_AT, Side.VISITOR)]
    assert counted("accepted") == before + 1


@pytest.mark.parametrize(
    ("identity", "reason", "ours"),
    [
        ("visitor", "CLIENT_INITIATED", False),  # hung up
        ("visitor", "SIGNAL_CLOSE", False),  # their network
        ("visitor", "SERVER_SHUTDOWN", True),  # the provider dropped them
        ("station", "CLIENT_INITIATED", True),  # the facility's side
    ],
)
async def test_a_leave_says_whose_doing_it_was(identity: str, reason: str, ours: bool) -> None:
    rooms = RecordingRooms()
    body = event("participant_left", identity, disconnectReason=reason)

    assert (await post(rooms, body, signature(body))).status_code == 204

    [report] = rooms.reports
    assert (report.change, report.side, report.ours) == (RoomChange.LEFT, Side(identity), ours)
    assert report.at == RECEIVED_AT  # within the event's second


@pytest.mark.parametrize(
    ("received_at", "at"),
    [
        (EVENT_SECOND + timedelta(minutes=10), EVENT_SECOND + timedelta(milliseconds=999)),
        (EVENT_SECOND - timedelta(seconds=3), EVENT_SECOND),  # our clock behind LiveKit's
    ],
)
async def test_a_leave_delivered_late_or_early_stays_within_its_events_second(
    received_at: datetime, at: datetime
) -> None:
    rooms = RecordingRooms()
    body = event("participant_left", disconnectReason="CLIENT_INITIATED")

    await post(rooms, body, signature(body), received_at)

    assert rooms.reports[0].at == at


async def test_a_leave_stamped_in_the_second_of_its_join_is_after_the_join() -> None:
    rooms = RecordingRooms()
    body = json.loads(event("participant_left", disconnectReason="CLIENT_INITIATED"))
    body["createdAt"] = str(JOINED_MS // 1000)  # the second it joined in
    text = json.dumps(body)

    await post(rooms, text, signature(text), received_at=JOINED_AT.replace(microsecond=0))

    assert rooms.reports[0].at == JOINED_AT + timedelta(milliseconds=1)


async def test_a_finished_room_is_reported_and_other_events_are_dropped() -> None:
    rooms = RecordingRooms()
    finished, track = event("room_finished"), event("track_published")
    stranger = event("participant_joined", identity="egress-recorder")
    # The visitor reloaded the page: their new connection replaced the old one in the room.
    replaced = event("participant_left", disconnectReason="DUPLICATE_IDENTITY")

    for body in (finished, track, stranger, replaced):
        assert (await post(rooms, body, signature(body))).status_code == 204

    assert [(r.change, r.side) for r in rooms.reports] == [(RoomChange.FINISHED, None)]


# Tokens are signed when the test runs, not when it is collected: a 5-minute token made at
# collection has expired by the time a long suite reaches it, and is refused for that instead.
@pytest.mark.parametrize(
    ("authorization", "reason"),
    [
        (lambda: None, "unsigned"),
        (lambda: "", "unsigned"),
        (lambda: "not-a-token", "signature_mismatch"),
        (
            lambda: signature(event("participant_joined"), secret="another-secret-" + "x" * 30),
            "signature_mismatch",
        ),
        (lambda: signature(event("participant_joined"), key="another-key"), "signature_mismatch"),
        (lambda: signature(event("participant_joined", identity="station")), "body_hash_mismatch"),
        (lambda: api.AccessToken(KEY, SECRET).to_jwt(), "body_hash_mismatch"),  # no hash at all
    ],
)
async def test_what_livekit_did_not_sign_for_this_body_is_refused(
    authorization: Callable[[], str | None], reason: str
) -> None:
    rooms = RecordingRooms()
    before = counted(reason)

    with capture_logs() as logs:
        response = await post(rooms, event("participant_joined"), authorization())

    assert response.status_code == 403
    assert rooms.reports == []
    assert counted(reason) == before + 1
    assert {"event": "video webhook refused", "reason": reason}.items() <= logs[-1].items()


async def test_an_expired_signature_is_refused() -> None:
    body = event("participant_joined")
    digest = base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()
    expired = api.AccessToken(KEY, SECRET).with_sha256(digest).with_ttl(timedelta(minutes=-5))
    rooms = RecordingRooms()

    assert (await post(rooms, body, expired.to_jwt())).status_code == 403
    assert rooms.reports == []


async def test_a_body_too_large_is_refused_before_it_is_read_whole() -> None:
    body = " " * (64 * 1024 + 1)
    rooms = RecordingRooms()

    assert (await post(rooms, body, signature(body))).status_code == 413
    assert rooms.reports == []


@pytest.mark.parametrize(
    ("failure", "status_code", "outcome"),
    [
        (Unavailable("store_unavailable", "down"), 503, "unavailable"),
        (NotFound("visit_not_found", "No such visit."), 400, "rejected"),
        (RuntimeError("bug"), 500, "failed"),
    ],
)
async def test_a_handlers_failure_tells_livekit_whether_to_try_again(
    failure: Exception, status_code: int, outcome: str
) -> None:
    body = event("participant_joined")
    before = counted(outcome)

    response = await post(RecordingRooms(failure), body, signature(body))

    assert response.status_code == status_code
    assert counted(outcome) == before + 1


async def test_a_signed_body_that_is_no_webhook_event_is_malformed() -> None:
    rooms, body = RecordingRooms(), "this is not an event"
    before = counted("malformed")

    assert (await post(rooms, body, signature(body))).status_code == 400
    assert rooms.reports == []
    assert counted("malformed") == before + 1

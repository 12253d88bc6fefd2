"""The LiveKit adapter against a real LiveKit server of the test's own: rooms made and closed
through its API, two video clients joining with the adapter's tokens over loopback, the
visitor publishing a tone, and the server's signed webhooks reaching the handler as room
reports through the webhook visitation serves."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from dataclasses import field
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from typing import Any
from uuid import UUID

import pytest
from kinlink_kit.errors import Unavailable
from kinlink_kit.testing import eventually
from kinlink_kit.testing import free_port
from kinlink_kit.webhook_server import WebhookServer
from kinlink_visitation.adapters.livekit_rooms import LiveKitRooms
from kinlink_visitation.adapters.livekit_settings import LIVEKIT_WEBHOOK_ROUTE
from kinlink_visitation.adapters.livekit_settings import LiveKitServer
from kinlink_visitation.domain.video import RoomChange
from kinlink_visitation.domain.video import RoomReport
from kinlink_visitation.domain.video import VideoUnavailable
from kinlink_visitation.domain.visit import Side
from kinlink_visitation.entrypoints.video_webhook import create_video_webhook
from livekit import api
from livekit import rtc
from livekit.rtc.participant import PublishTrackError

from tests.livekit_server import joined
from tests.livekit_server import private_livekit
from tests.livekit_server import publish_tone

VISIT_ID = UUID("0d9b4c2e-8f61-4c5a-b3e7-52a1f0c6d7e9")


@dataclass
class RecordingRooms:
    reports: list[RoomReport] = field(default_factory=list)
    unavailable_once: set[RoomChange] = field(default_factory=set)  # then taken
    refused: list[RoomReport] = field(default_factory=list)

    def report(self, report: RoomReport) -> None:
        if report.change in self.unavailable_once:
            self.unavailable_once.discard(report.change)
            self.refused.append(report)
            raise Unavailable("store_unavailable", "The store cannot be reached.")
        self.reports.append(report)

    def seen(self, change: RoomChange, side: Side | None = None) -> list[RoomReport]:
        return [r for r in self.reports if r.change is change and r.side is side]


@dataclass
class Provider:
    server: Any
    rooms: LiveKitRooms
    recorded: RecordingRooms


@pytest.fixture
async def provider() -> AsyncIterator[Provider]:
    recorded, port = RecordingRooms(), free_port()
    with private_livekit(f"http://127.0.0.1:{port}{LIVEKIT_WEBHOOK_ROUTE}") as server:
        app = create_video_webhook(recorded.report, server.api_key, server.api_secret)
        webhook = WebhookServer(app, "127.0.0.1", port, grace_seconds=1)
        job = asyncio.create_task(webhook.run())
        await asyncio.wait_for(webhook.listening.wait(), 30)
        settings = LiveKitServer(
            server.url, server.url.replace("http", "ws"), server.api_key, server.api_secret
        )
        try:
            yield Provider(server, LiveKitRooms(settings), recorded)
        finally:
            job.cancel()
            await asyncio.gather(job, return_exceptions=True)


async def test_two_sides_join_for_real_and_the_webhooks_say_who_came_and_went(
    provider: Provider,
) -> None:
    now = datetime.now(UTC)
    rooms, recorded = provider.rooms, provider.recorded
    await asyncio.to_thread(rooms.open_room, VISIT_ID, now + timedelta(minutes=30))
    await asyncio.to_thread(rooms.open_room, VISIT_ID, now + timedelta(minutes=30))  # again: no-op
    [room] = await listed_rooms(provider.server)
    assert room.name == str(VISIT_ID) and room.max_participants == 2
    # Kept while empty until the window closes (give or take the second the call took).
    assert 29 * 60 <= room.empty_timeout == room.departure_timeout <= 30 * 60
    visitor = rooms.ticket(VISIT_ID, Side.VISITOR, now, now + timedelta(minutes=30))
    station = rooms.ticket(VISIT_ID, Side.STATION, now, now + timedelta(minutes=30))

    async with joined(visitor.url, visitor.token) as visitor_room:
        await publish_tone(visitor_room)
        async with joined(station.url, station.token) as station_room:
            await eventually(_has(recorded, RoomChange.JOINED, Side.STATION), 30)
            assert Side.VISITOR.value in station_room.remote_participants
            assert await asyncio.to_thread(rooms.present, VISIT_ID) == set(Side)
        await eventually(_has(recorded, RoomChange.LEFT, Side.STATION), 30)
        assert await asyncio.to_thread(rooms.present, VISIT_ID) == {Side.VISITOR}
        visitor_gone = asyncio.Event()
        visitor_room.on("disconnected", lambda *_: visitor_gone.set())

        await asyncio.to_thread(rooms.remove, VISIT_ID, Side.VISITOR)

        await asyncio.wait_for(visitor_gone.wait(), 30)
        await eventually(_has(recorded, RoomChange.LEFT, Side.VISITOR), 30)

    [visitor_joined] = recorded.seen(RoomChange.JOINED, Side.VISITOR)
    [station_left] = recorded.seen(RoomChange.LEFT, Side.STATION)
    [visitor_removed] = recorded.seen(RoomChange.LEFT, Side.VISITOR)
    assert {r.visit_id for r in recorded.reports} == {VISIT_ID}
    assert station_left.ours and visitor_removed.ours  # the facility's side; removed by us
    assert visitor_joined.at <= station_left.at <= visitor_removed.at
    await asyncio.to_thread(rooms.remove, VISIT_ID, Side.VISITOR)  # gone already: nothing

    await asyncio.to_thread(rooms.close_room, VISIT_ID)

    await eventually(_has(recorded, RoomChange.FINISHED), 30)
    assert await asyncio.to_thread(rooms.present, VISIT_ID) == set()  # no room: nobody
    await asyncio.to_thread(rooms.close_room, VISIT_ID)  # gone already: nothing


async def test_a_visitor_hanging_up_is_their_own_leave(provider: Provider) -> None:
    now = datetime.now(UTC)
    rooms, recorded = provider.rooms, provider.recorded
    await asyncio.to_thread(rooms.open_room, VISIT_ID, now + timedelta(minutes=30))
    visitor = rooms.ticket(VISIT_ID, Side.VISITOR, now, now + timedelta(minutes=30))

    async with joined(visitor.url, visitor.token):
        await eventually(_has(recorded, RoomChange.JOINED, Side.VISITOR), 30)

    await eventually(_has(recorded, RoomChange.LEFT, Side.VISITOR), 30)
    assert not recorded.seen(RoomChange.LEFT, Side.VISITOR)[0].ours


async def test_a_token_past_the_visits_window_is_refused_by_the_server(
    provider: Provider,
) -> None:
    now = datetime.now(UTC)
    rooms = provider.rooms
    await asyncio.to_thread(rooms.open_room, VISIT_ID, now)
    late = rooms.ticket(
        VISIT_ID, Side.VISITOR, now - timedelta(hours=1), now - timedelta(minutes=10)
    )

    with pytest.raises(rtc.ConnectError):
        async with joined(late.url, late.token):
            pass
    assert provider.recorded.seen(RoomChange.JOINED, Side.VISITOR) == []


async def test_an_unreachable_server_is_reported_unavailable() -> None:
    gone = LiveKitServer(
        f"http://127.0.0.1:{free_port()}",
        "ws://unused",
        "key",
        "a-secret-long-enough-for-hs256-0123456789",
        2.0,
    )

    with pytest.raises(VideoUnavailable):
        await asyncio.to_thread(LiveKitRooms(gone).open_room, VISIT_ID, datetime.now(UTC))


def _has(recorded: RecordingRooms, change: RoomChange, side: Side | None = None) -> Any:
    async def check() -> bool:
        return bool(recorded.seen(change, side))

    check.__qualname__ = f"{change.value} {side}"
    return check


async def test_a_side_sends_its_camera_and_microphone_and_nothing_else(
    provider: Provider,
) -> None:
    now = datetime.now(UTC)
    rooms = provider.rooms
    await asyncio.to_thread(rooms.open_room, VISIT_ID, now + timedelta(minutes=30))
    visitor = rooms.ticket(VISIT_ID, Side.VISITOR, now, now + timedelta(minutes=30))

    async with joined(visitor.url, visitor.token) as room:
        await publish_tone(room)  # the microphone
        screen = rtc.LocalAudioTrack.create_audio_track("screen", rtc.AudioSource(48_000, 1))
        shared = rtc.TrackPublishOptions(source=rtc.TrackSource.SOURCE_SCREENSHARE_AUDIO)
        with pytest.raises(PublishTrackError):
            await asyncio.wait_for(room.local_participant.publish_track(screen, shared), 30)
    claims = api.TokenVerifier(provider.server.api_key, provider.server.api_secret).verify(
        visitor.token
    )
    assert claims.video is not None
    assert (claims.video.can_publish_data, claims.video.can_update_own_metadata) == (False, False)


async def test_a_report_the_service_could_not_take_is_posted_again_by_the_server(
    provider: Provider,
) -> None:
    now = datetime.now(UTC)
    rooms, recorded = provider.rooms, provider.recorded
    recorded.unavailable_once = {RoomChange.JOINED}  # answered 503 the first time
    await asyncio.to_thread(rooms.open_room, VISIT_ID, now + timedelta(minutes=30))
    visitor = rooms.ticket(VISIT_ID, Side.VISITOR, now, now + timedelta(minutes=30))

    async with joined(visitor.url, visitor.token):
        await eventually(_has(recorded, RoomChange.JOINED, Side.VISITOR), 30)

    assert recorded.refused == recorded.seen(RoomChange.JOINED, Side.VISITOR)  # the same join


async def listed_rooms(server: Any) -> list[Any]:
    async with api.LiveKitAPI(server.url, server.api_key, server.api_secret) as livekit:
        return list((await livekit.room.list_rooms(api.ListRoomsRequest())).rooms)

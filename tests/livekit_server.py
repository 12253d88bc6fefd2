"""A private LiveKit server for a test (free ports, its own key, its webhooks posted to the
test's webhook), and video clients that join its rooms for real with LiveKit's Python SDK over
loopback."""

from __future__ import annotations

import asyncio
import math
import secrets
import shutil
import warnings
from collections.abc import AsyncIterator
from collections.abc import Iterator
from contextlib import asynccontextmanager
from contextlib import contextmanager
from typing import Any

from kinlink_kit.testing import free_port
from livekit import rtc

from tests.infra_script import infra_script
from tests.infra_script import private_home

API_KEY = "kinlink-test"
START_ATTEMPTS = 3
SAMPLE_RATE = 48_000
FRAME_SAMPLES = SAMPLE_RATE // 100  # 10 ms
# A client whose room the server already closed (a page replaced by the same ticket's reload)
# can wait forever for the SDK's answer to its leave; the server forgets a silent client anyway.
LEAVE_SECONDS = 10


@contextmanager
def private_livekit(*webhook_urls: str) -> Iterator[Any]:
    """A LiveKit server of the test's own (`url`, `api_key`, `api_secret`), stopped after. Its
    free ports are chosen again when another process bound one first (LiveKit exits then)."""
    for attempt in range(1, START_ATTEMPTS + 1):
        ports = (free_port(), free_port(), free_port())
        server = infra_script.PrivateLiveKit(
            private_home("livekit"), ports, API_KEY, secrets.token_hex(24), webhook_urls
        )
        try:
            server.start()
            break
        except infra_script.InfraError:
            taken = "address already in use" in _log(server)
            _remove(server)
            if not taken or attempt == START_ATTEMPTS:
                raise
    try:
        yield server
    finally:
        _remove(server)


def _remove(server: Any) -> None:
    server.stop()
    shutil.rmtree(server.home, ignore_errors=True)


def _log(server: Any) -> str:
    try:
        return str(server.log.read_text(errors="replace"))
    except OSError:
        return ""


@asynccontextmanager
async def joined(url: str, token: str) -> AsyncIterator[rtc.Room]:
    """A video client in the room the token names, until it leaves."""
    room = rtc.Room()
    await room.connect(url, token)
    try:
        yield room
    finally:
        try:
            await asyncio.wait_for(room.disconnect(), LEAVE_SECONDS)
        except TimeoutError:
            # Said in the run's warnings: a test that leaves this way often is worth a look.
            warnings.warn(
                f"a test client gave up leaving room {room.name!r} after {LEAVE_SECONDS}s",
                stacklevel=1,
            )


async def publish_tone(room: rtc.Room, seconds: float = 0.2) -> rtc.LocalTrackPublication:
    """Publishes a microphone track carrying a 440 Hz tone, as a visitor's microphone would."""
    source = rtc.AudioSource(SAMPLE_RATE, 1)
    track = rtc.LocalAudioTrack.create_audio_track("microphone", source)
    options = rtc.TrackPublishOptions(source=rtc.TrackSource.SOURCE_MICROPHONE)
    publication = await room.local_participant.publish_track(track, options)
    frame = rtc.AudioFrame.create(SAMPLE_RATE, 1, FRAME_SAMPLES)
    samples = frame.data  # int16, one channel
    for index in range(FRAME_SAMPLES):
        samples[index] = int(8000 * math.sin(2 * math.pi * 440 * index / SAMPLE_RATE))
    for _ in range(int(seconds * 100)):
        await source.capture_frame(frame)
    await asyncio.sleep(0)
    return publication

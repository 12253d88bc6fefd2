"""The video provider and its reports follow the settings: LiveKit's server and its webhook
with a URL, key and secret; the simulated provider and its reporting job without a URL; a
clear error for a URL without its key."""

from __future__ import annotations

import pytest
from kinlink_kit.webhook_server import WebhookServer
from kinlink_visitation.adapters.livekit_rooms import LiveKitRooms
from kinlink_visitation.adapters.livekit_settings import LiveKitSettings
from kinlink_visitation.adapters.simulated_rooms import SimulatedRooms
from kinlink_visitation.adapters.video_rooms import open_video_rooms
from kinlink_visitation.domain.video import RoomReport
from kinlink_visitation.entrypoints.video_webhook import video_report_jobs

LIVEKIT = {
    "KINLINK_LIVEKIT_URL": "https://livekit.kinlink.example/",
    "KINLINK_LIVEKIT_API_KEY": "APIkinlink",
    "KINLINK_LIVEKIT_API_SECRET": "s" * 40,
}


def no_report(report: RoomReport) -> None:
    raise AssertionError("not called")


def test_without_a_url_the_simulated_provider_reports_by_itself(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("KINLINK_LIVEKIT_URL", raising=False)
    settings = LiveKitSettings()

    rooms = open_video_rooms(settings)

    assert isinstance(rooms, SimulatedRooms)
    [job] = video_report_jobs(settings, 1.0, rooms, no_report)
    assert job.__qualname__ == "SimulatedRooms.reporting.<locals>.report_rooms"


def test_with_a_server_the_sdk_and_the_webhook(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in LIVEKIT.items():
        monkeypatch.setenv(name, value)

    settings = LiveKitSettings()
    rooms = open_video_rooms(settings)

    assert isinstance(rooms, LiveKitRooms)
    [job] = video_report_jobs(settings, 1.0, rooms, no_report)
    assert isinstance(job.__self__, WebhookServer)  # type: ignore[attr-defined]
    server = settings.livekit_server()
    assert server is not None
    assert (server.url, server.client_url) == (
        "https://livekit.kinlink.example",
        "wss://livekit.kinlink.example",  # the clients' address unless told another
    )


def test_a_provider_of_the_callers_has_no_job(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KINLINK_LIVEKIT_URL", raising=False)

    assert video_report_jobs(LiveKitSettings(), 1.0, object(), no_report) == []  # type: ignore[arg-type]


@pytest.mark.parametrize("missing", ["KINLINK_LIVEKIT_API_KEY", "KINLINK_LIVEKIT_API_SECRET"])
def test_a_url_without_its_key_is_a_clear_error(
    monkeypatch: pytest.MonkeyPatch, missing: str
) -> None:
    for name, value in LIVEKIT.items():
        if name != missing:
            monkeypatch.setenv(name, value)
    monkeypatch.delenv(missing, raising=False)

    with pytest.raises(ValueError, match="KINLINK_LIVEKIT_API_KEY and KINLINK_LIVEKIT_API_SECRET"):
        LiveKitSettings().livekit_server()

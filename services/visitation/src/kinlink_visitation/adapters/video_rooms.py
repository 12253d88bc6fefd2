"""Which video provider visitation opens rooms with, from its settings: LiveKit's server when
its URL is configured, else the simulated provider (embedded mode)."""

from __future__ import annotations

from kinlink_visitation.adapters.livekit_rooms import LiveKitRooms
from kinlink_visitation.adapters.livekit_settings import LiveKitSettings
from kinlink_visitation.adapters.simulated_rooms import SimulatedRooms


def open_video_rooms(settings: LiveKitSettings) -> LiveKitRooms | SimulatedRooms:
    """LiveKit's reports come to the webhook; the simulated provider's from its `reporting`
    job (see `entrypoints.video_webhook.video_report_jobs`)."""
    server = settings.livekit_server()
    if server is None:
        return SimulatedRooms()
    return LiveKitRooms(server)

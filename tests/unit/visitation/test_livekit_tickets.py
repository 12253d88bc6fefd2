"""A LiveKit join ticket: a token for one room and one side, sending a camera and a
microphone only, dying at the visit's end; made without calling the server."""

from __future__ import annotations

from datetime import UTC
from datetime import datetime
from datetime import timedelta
from uuid import UUID

import jwt
from kinlink_visitation.adapters.livekit_rooms import LiveKitRooms
from kinlink_visitation.adapters.livekit_settings import LiveKitServer
from kinlink_visitation.domain.visit import Side
from livekit import api

SERVER = LiveKitServer(
    url="http://127.0.0.1:1",  # never called
    client_url="wss://video.kinlink.example",
    api_key="APIkinlink",
    api_secret="a-secret-of-the-test-key-0123456789abcdef",
)
VISIT_ID = UUID("2b7c9e41-0d5f-4a36-8e12-9c4f6a1b3d70")


def test_a_ticket_joins_one_room_as_one_side_until_the_visits_end() -> None:
    now = datetime.now(UTC)  # LiveKit's tokens count from the real time
    valid_until = now + timedelta(minutes=25)

    ticket = LiveKitRooms(SERVER).ticket(VISIT_ID, Side.STATION, now, valid_until)

    assert (ticket.url, ticket.room, ticket.identity) == (
        "wss://video.kinlink.example",
        str(VISIT_ID),
        "station",
    )
    claims = api.TokenVerifier(SERVER.api_key, SERVER.api_secret).verify(ticket.token)
    assert claims.identity == "station"
    assert claims.video is not None
    assert (claims.video.room, claims.video.room_join) == (str(VISIT_ID), True)
    assert claims.video.room_create is None and claims.video.room_admin is None
    assert sorted(claims.video.can_publish_sources or ()) == ["camera", "microphone"]
    expires = jwt.decode(ticket.token, options={"verify_signature": False})["exp"]
    assert abs(expires - valid_until.timestamp()) <= 1  # whole seconds

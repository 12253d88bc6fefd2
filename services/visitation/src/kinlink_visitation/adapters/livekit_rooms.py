"""The video provider of the distributed mode: LiveKit's open-source server, through its
server SDK (`livekit-api`). A visit's room is named by the visit's id, holds two participants
(`visitor`, `station`) and closes itself once empty after the visit's window; a join token
lives until the window's end, so the server refuses it after.

The SDK is asynchronous and the use cases are not: each call runs on an event loop of its own
in the calling worker thread, with a client session made for it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from collections.abc import Callable
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from typing import TypeVar
from uuid import UUID

import aiohttp
from kinlink_kit.application import utc_now
from kinlink_kit.logging import get_logger
from livekit import api
from livekit.protocol import models
from livekit.protocol.webhook import WebhookEvent

from kinlink_visitation.adapters.livekit_settings import LiveKitServer
from kinlink_visitation.domain.video import JoinTicket
from kinlink_visitation.domain.video import RoomChange
from kinlink_visitation.domain.video import RoomReport
from kinlink_visitation.domain.video import VideoUnavailable
from kinlink_visitation.domain.visit import Side

log = get_logger(__name__)

Answer = TypeVar("Answer")
# What a side may send: their camera and microphone; no screen, no data to the other side.
_SOURCES = ("camera", "microphone")
# A room left empty stays this long at least, so that a participant whose network blinked at
# the window's end finds it again.
MIN_EMPTY_TIMEOUT_SECONDS = 60


class LiveKitRooms:
    def __init__(self, server: LiveKitServer, clock: Callable[[], datetime] = utc_now) -> None:
        self._server = server
        self._clock = clock

    def open_room(self, visit_id: UUID, closes_at: datetime) -> None:
        # Kept while empty until the window closes, before anyone came or after all left (a
        # network blink of both sides): the visit's end closes it, or the server after.
        kept = max(int((closes_at - self._clock()).total_seconds()), MIN_EMPTY_TIMEOUT_SECONDS)
        request = api.CreateRoomRequest(
            name=str(visit_id), max_participants=2, empty_timeout=kept, departure_timeout=kept
        )
        self._call("create_room", lambda lk: lk.room.create_room(request))

    def ticket(
        self, visit_id: UUID, side: Side, valid_from: datetime, valid_until: datetime
    ) -> JoinTicket:
        room = str(visit_id)
        token = (
            api.AccessToken(self._server.api_key, self._server.api_secret)
            .with_identity(side.value)
            .with_ttl(valid_until - self._clock())
            .with_grants(
                api.VideoGrants(
                    room_join=True,
                    room=room,
                    can_publish_sources=list(_SOURCES),
                    can_publish_data=False,
                    can_update_own_metadata=False,
                )
            )
            .to_jwt()
        )
        return JoinTicket(
            url=self._server.client_url,
            room=room,
            identity=side.value,
            token=token,
            valid_from=valid_from,
            valid_until=valid_until,
        )

    def remove(self, visit_id: UUID, side: Side) -> None:
        request = api.RoomParticipantIdentity(room=str(visit_id), identity=side.value)
        self._call(
            "remove_participant", lambda lk: lk.room.remove_participant(request), gone_ok=True
        )

    def close_room(self, visit_id: UUID) -> None:
        request = api.DeleteRoomRequest(room=str(visit_id))
        self._call("delete_room", lambda lk: lk.room.delete_room(request), gone_ok=True)

    def present(self, visit_id: UUID) -> frozenset[Side]:
        request = api.ListParticipantsRequest(room=str(visit_id))
        found = self._call(
            "list_participants", lambda lk: lk.room.list_participants(request), gone_ok=True
        )
        participants = found.participants if found is not None else ()
        return frozenset(
            Side(participant.identity)
            for participant in participants
            if participant.identity in _SIDES
            and participant.state != models.ParticipantInfo.State.DISCONNECTED
        )

    def _call(
        self,
        what: str,
        call: Callable[[api.LiveKitAPI], Awaitable[Answer]],
        gone_ok: bool = False,
    ) -> Answer | None:
        async def calling() -> Answer:
            timeout = aiohttp.ClientTimeout(total=self._server.timeout_seconds)
            async with api.LiveKitAPI(
                self._server.url,
                self._server.api_key,
                self._server.api_secret,
                timeout=timeout,
                failover=False,
            ) as livekit:
                return await call(livekit)

        try:
            return asyncio.run(calling())
        except api.ServerError as error:
            if gone_ok and error.code == api.ServerErrorCode.NOT_FOUND:
                return None  # the participant or the room is gone already
            log.warning("livekit refused", call=what, code=error.code, status=error.status)
            raise VideoUnavailable() from error
        except (aiohttp.ClientError, TimeoutError) as error:
            log.warning("livekit unreachable", call=what, error=type(error).__name__)
            raise VideoUnavailable() from error


_SIDES = frozenset(side.value for side in Side)
_SECOND_END = timedelta(seconds=1) - timedelta(milliseconds=1)
# Leaves that were not the participant's doing: the server dropped or moved them, or we removed
# them. Any other leave of the visitor (hanging up, their network) is theirs.
_PROVIDER_REASONS = frozenset(
    {
        models.DisconnectReason.SERVER_SHUTDOWN,
        models.DisconnectReason.PARTICIPANT_REMOVED,
        models.DisconnectReason.ROOM_DELETED,
        models.DisconnectReason.STATE_MISMATCH,
        models.DisconnectReason.MIGRATION,
        models.DisconnectReason.ROOM_CLOSED,
    }
)


def room_report(event: WebhookEvent, received_at: datetime) -> RoomReport | None:
    """What a webhook event says of a visit's room, or None for what visitation does not
    follow (tracks, a room starting, a participant that is neither side, the earlier
    connection of a side that joined again).

    LiveKit stamps a participant's join to the millisecond but its events only to the second.
    A join is at its millisecond. A leave is when it reached us, kept within its event's second
    and after its own join: one delivered late or twice is placed at its second's end, never
    more than a second after it happened."""
    second = datetime.fromtimestamp(event.created_at, UTC)
    if event.event == "room_finished":
        return RoomReport(event.room.name, RoomChange.FINISHED, second)
    if event.event not in ("participant_joined", "participant_left"):
        return None
    participant = event.participant
    if participant.identity not in _SIDES:
        return None
    side = Side(participant.identity)
    joined_at = datetime.fromtimestamp(participant.joined_at_ms / 1000, UTC)
    if event.event == "participant_joined":
        return RoomReport(event.room.name, RoomChange.JOINED, joined_at, side)
    if participant.disconnect_reason == models.DisconnectReason.DUPLICATE_IDENTITY:
        return None  # the side joined again (a reloaded page): it never left the room
    within_its_second = min(max(received_at, second), second + _SECOND_END)
    left_at = max(within_its_second, joined_at + timedelta(milliseconds=1))
    ours = side is Side.STATION or participant.disconnect_reason in _PROVIDER_REASONS
    return RoomReport(event.room.name, RoomChange.LEFT, left_at, side, ours)

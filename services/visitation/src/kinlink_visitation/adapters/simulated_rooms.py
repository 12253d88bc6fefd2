"""The video provider of the embedded mode and the unit tests: rooms kept in memory, tokens
that name the room, side and window they were issued for, and the provider's reports handed
by its `reporting` job to the callback it is given, a moment later, as LiveKit's webhooks
would be.

Nothing is sent anywhere: a participant joins with `join(token, at)` (the tests, or a page
standing in for a video client) and leaves with `leave`; `drop` is the provider losing a
participant, as a server would.
"""

from __future__ import annotations

import asyncio
import queue
import secrets
from collections.abc import Callable
from collections.abc import Coroutine
from dataclasses import dataclass
from dataclasses import field
from datetime import datetime
from typing import Any
from uuid import UUID

from kinlink_kit.application import utc_now
from kinlink_kit.errors import PermissionDenied
from kinlink_kit.errors import Unavailable
from kinlink_kit.logging import get_logger

from kinlink_visitation.domain.video import JoinTicket
from kinlink_visitation.domain.video import RoomChange
from kinlink_visitation.domain.video import RoomReport
from kinlink_visitation.domain.visit import Side

log = get_logger(__name__)

SIMULATED_URL = "simulated://video"
Report = Callable[[RoomReport], None]


class TokenRefused(PermissionDenied):
    """The simulated provider refuses a join (as LiveKit answers 401): an unknown or
    expired token, or a room that is closed."""

    def __init__(self, why: str) -> None:
        super().__init__("video_token_refused", f"The video room refused to join: {why}.")


@dataclass
class _Room:
    closes_at: datetime
    present: set[Side] = field(default_factory=set)


class SimulatedRooms:
    def __init__(self, clock: Callable[[], datetime] = utc_now, retry_seconds: float = 1.0) -> None:
        self._clock = clock
        self._retry_seconds = retry_seconds
        self._rooms: dict[str, _Room] = {}
        self._tickets: dict[str, JoinTicket] = {}
        self._reports: queue.SimpleQueue[RoomReport] = queue.SimpleQueue()

    # --- the port ---------------------------------------------------------------------------

    def open_room(self, visit_id: UUID, closes_at: datetime) -> None:
        self._rooms.setdefault(str(visit_id), _Room(closes_at))

    def ticket(
        self, visit_id: UUID, side: Side, valid_from: datetime, valid_until: datetime
    ) -> JoinTicket:
        ticket = JoinTicket(
            url=SIMULATED_URL,
            room=str(visit_id),
            identity=side.value,
            token=f"sim-{secrets.token_urlsafe(24)}",
            valid_from=valid_from,
            valid_until=valid_until,
        )
        self._tickets[ticket.token] = ticket
        return ticket

    def remove(self, visit_id: UUID, side: Side) -> None:
        self._leave(str(visit_id), side, self._clock(), ours=True)

    def close_room(self, visit_id: UUID) -> None:
        room = str(visit_id)
        if room not in self._rooms:
            return
        at = self._clock()
        for side in sorted(self._rooms[room].present):
            self._leave(room, side, at, ours=True)
        del self._rooms[room]
        self._reports.put(RoomReport(room, RoomChange.FINISHED, at))

    # --- what participants and the provider do --------------------------------------------------

    def join(self, token: str, at: datetime) -> JoinTicket:
        """A participant joins with a token this provider issued, within its validity."""
        ticket = self._tickets.get(token)
        if ticket is None:
            raise TokenRefused("unknown token")
        if not ticket.valid_from <= at < ticket.valid_until:
            raise TokenRefused("the token is not valid now")
        room = self._rooms.get(ticket.room)
        if room is None:
            raise TokenRefused("no such room")
        side = Side(ticket.identity)
        if side not in room.present:
            room.present.add(side)
            self._reports.put(RoomReport(ticket.room, RoomChange.JOINED, at, side))
        return ticket

    def leave(self, visit_id: UUID, side: Side, at: datetime) -> None:
        """The participant leaves (hangs up, closes the page): the station's leaving is ours."""
        self._leave(str(visit_id), side, at, ours=side is Side.STATION)

    def drop(self, visit_id: UUID, side: Side, at: datetime) -> None:
        """The provider loses the participant (a server fault): ours, whichever side."""
        self._leave(str(visit_id), side, at, ours=True)

    def present(self, visit_id: UUID) -> frozenset[Side]:
        found = self._rooms.get(str(visit_id))
        return frozenset(found.present) if found else frozenset()

    def is_open(self, visit_id: UUID) -> bool:
        return str(visit_id) in self._rooms

    def _leave(self, room: str, side: Side, at: datetime, *, ours: bool) -> None:
        found = self._rooms.get(room)
        if found is None or side not in found.present:
            return
        found.present.discard(side)
        self._reports.put(RoomReport(room, RoomChange.LEFT, at, side, ours))

    # --- reports ----------------------------------------------------------------------------

    def reports_waiting(self) -> list[RoomReport]:
        """Takes the reports not handed on yet (unit tests hand them on themselves)."""
        taken = []
        while not self._reports.empty():
            taken.append(self._reports.get_nowait())
        return taken

    def reporting(self, report: Report) -> Callable[[], Coroutine[Any, Any, None]]:
        """The background job handing each report to `report` until cancelled. A report the
        service cannot take yet (`Unavailable`) is handed on again later."""

        async def report_rooms() -> None:
            while True:
                try:
                    change = self._reports.get_nowait()
                except queue.Empty:
                    await asyncio.sleep(0.05)
                    continue
                try:
                    await asyncio.to_thread(report, change)
                except Unavailable:
                    log.warning("video room report not taken; reported again", room=change.room)
                    loop = asyncio.get_running_loop()
                    loop.call_later(self._retry_seconds, self._reports.put, change)
                except Exception:
                    log.exception("video room report failed", room=change.room)

        return report_rooms

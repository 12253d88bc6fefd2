"""What ending a visit needs of the video provider: its room closed, both sides removed. The
provider's whole port is `domain/video.VideoRooms`; this is the part the ending calls."""

from __future__ import annotations

from typing import Protocol
from uuid import UUID


class RoomClosing(Protocol):
    def close_room(self, visit_id: UUID) -> None:
        """Removes both sides from the visit's room and closes it; a room already closed (or
        never opened) is not an error. Raises an `Unavailable` error when the provider cannot
        be reached: nothing is recorded and the caller asks again."""
        ...

"""The video provider as visitation sees it (`VideoRooms`): one room per visit, named by the
visit's id, that the visitor and the facility's station join with tokens valid for the visit's
window; the provider reports who joined and who left (`RoomReport`), and removes a participant
or closes the room when a visit ends. LiveKit's server in the distributed mode, a simulated
provider in the embedded mode and the unit tests.

A room is named by the visit's id and a participant's identity in it is its side (`visitor`,
`station`): a room has one of each, and no name, email or account travels to the provider.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Protocol
from uuid import UUID

from kinlink_contracts.visitation import Side
from kinlink_kit.errors import Unavailable


class VideoUnavailable(Unavailable):
    def __init__(self) -> None:
        super().__init__(
            "video_unavailable", "The video service cannot be reached just now. Try again soon."
        )


@dataclass(frozen=True)
class JoinTicket:
    """What one side needs to join the visit's room: where, as whom, with which token."""

    url: str
    room: str
    identity: str
    token: str
    valid_from: datetime
    valid_until: datetime


class RoomChange(StrEnum):
    JOINED = "joined"
    LEFT = "left"
    FINISHED = "finished"  # the room closed: whoever was in it is gone


@dataclass(frozen=True)
class RoomReport:
    """What the provider reports of a room. `at` is the provider's time of the change, so a
    report delivered twice or late carries the time it happened. `ours` says a leave was not
    the participant's doing (the station's side, the provider dropping or removing them)."""

    room: str
    change: RoomChange
    at: datetime
    side: Side | None = None  # None for FINISHED
    ours: bool = False

    @property
    def visit_id(self) -> UUID | None:
        """The visit the room is for, or None for a room that is not a visit's."""
        try:
            return UUID(self.room)
        except ValueError:
            return None


class VideoRooms(Protocol):
    """Every call may raise `VideoUnavailable` when the provider cannot be reached."""

    def open_room(self, visit_id: UUID, closes_at: datetime) -> None:
        """Creates the visit's room (again: nothing changes) for two participants; once empty
        after `closes_at` the provider may close it on its own."""
        ...

    def ticket(
        self, visit_id: UUID, side: Side, valid_from: datetime, valid_until: datetime
    ) -> JoinTicket:
        """A join token for `side` in the visit's room, refused by the provider after
        `valid_until`."""
        ...

    def remove(self, visit_id: UUID, side: Side) -> None:
        """Takes `side` out of the visit's room; nothing if it is not there."""
        ...

    def close_room(self, visit_id: UUID) -> None:
        """Ends the visit's room and disconnects whoever is in it; nothing if it is gone."""
        ...

    def present(self, visit_id: UUID) -> frozenset[Side]:
        """The sides in the visit's room now, as the provider knows them; none if it is gone."""
        ...

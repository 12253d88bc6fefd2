"""The presence sweep as a background job, in one replica at a time: visits in progress are set
right with who the video provider says is in their rooms (service_layer.room_reports)."""

from __future__ import annotations

from functools import partial

from kinlink_kit.leadership import Leadership
from kinlink_kit.sweep import Sweep

from kinlink_visitation.service_layer.room_reports import reconcile_rooms
from kinlink_visitation.service_layer.visitation import Visitation


def presence_sweep(
    visitation: Visitation, leadership: Leadership, *, every_seconds: float
) -> Sweep:
    return Sweep(
        "visitation presence", partial(reconcile_rooms, visitation), leadership, every_seconds
    )

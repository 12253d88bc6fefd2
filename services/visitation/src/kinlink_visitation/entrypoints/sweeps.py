"""Visitation's sweeps as background jobs, each in one replica at a time: visits whose window
ended without ever connecting are marked missed (service_layer.mark_missed)."""

from __future__ import annotations

from functools import partial

from kinlink_kit.leadership import Leadership
from kinlink_kit.sweep import Sweep

from kinlink_visitation.service_layer.mark_missed import mark_missed_visits
from kinlink_visitation.service_layer.visitation import Visitation


def missed_visit_sweep(
    visitation: Visitation, leadership: Leadership, *, every_seconds: float
) -> Sweep:
    work = partial(mark_missed_visits, visitation)
    return Sweep("visitation missed visits", work, leadership, every_seconds)

"""The commissary's sweeps as background jobs, each in one replica at a time: allowances whose
period is over are ended (service_layer.end_allowance)."""

from __future__ import annotations

from functools import partial

from kinlink_kit.leadership import Leadership
from kinlink_kit.sweep import Sweep

from kinlink_commissary.service_layer.commissary import Commissary
from kinlink_commissary.service_layer.end_allowance import end_allowances_over


def allowance_period_sweep(
    commissary: Commissary, leadership: Leadership, *, every_seconds: float
) -> Sweep:
    work = partial(end_allowances_over, commissary)
    return Sweep("allowance period end", work, leadership, every_seconds)

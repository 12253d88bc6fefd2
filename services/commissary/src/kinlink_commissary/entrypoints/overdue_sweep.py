"""The overdue sweep as a background job, in one replica at a time: paid orders not delivered a
week after they were paid are flagged for support (service_layer.flag_overdue_orders). A day
late is late either way: it need not run often."""

from __future__ import annotations

from functools import partial

from kinlink_kit.leadership import Leadership
from kinlink_kit.sweep import Sweep

from kinlink_commissary.service_layer.commissary import Commissary
from kinlink_commissary.service_layer.flag_overdue_orders import flag_overdue_orders


def overdue_sweep(commissary: Commissary, leadership: Leadership, *, every_seconds: float) -> Sweep:
    work = partial(flag_overdue_orders, commissary)
    return Sweep("commissary overdue sweep", work, leadership, every_seconds)

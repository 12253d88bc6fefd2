"""The orders' background jobs, each in one replica at a time: the posting scheduler runs each
facility's posting on its posting day from its posting time (service_layer.run_posting), and
the processing sweep asks the ledger again about orders whose charge went unanswered
(service_layer.settle_orders)."""

from __future__ import annotations

from datetime import timedelta
from functools import partial

from kinlink_kit.leadership import Leadership
from kinlink_kit.sweep import Sweep

from kinlink_commissary.service_layer.commissary import Commissary
from kinlink_commissary.service_layer.run_posting import post_scheduled
from kinlink_commissary.service_layer.settle_orders import settle_orders


def posting_scheduler(
    commissary: Commissary, leadership: Leadership, *, every_seconds: float
) -> Sweep:
    return Sweep(
        "commissary posting", partial(post_scheduled, commissary), leadership, every_seconds
    )


def processing_sweep(
    commissary: Commissary,
    leadership: Leadership,
    *,
    settled_after: timedelta,
    every_seconds: float,
) -> Sweep:
    work = partial(settle_orders, commissary, settled_after)
    return Sweep("commissary processing sweep", work, leadership, every_seconds)

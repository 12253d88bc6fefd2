"""Messaging's sweeps as background jobs, each in one replica at a time: messages left awaiting
their payment are settled (service_layer.settle_payments), and read messages whose 14 days have
passed are recorded expired and their images deleted (service_layer.expire_messages)."""

from __future__ import annotations

from datetime import timedelta
from functools import partial

from kinlink_kit.leadership import Leadership
from kinlink_kit.sweep import Sweep

from kinlink_messaging.service_layer.expire_messages import expire_messages
from kinlink_messaging.service_layer.messaging import Messaging
from kinlink_messaging.service_layer.settle_payments import settle_payments


def payment_sweep(
    messaging: Messaging, leadership: Leadership, *, settled_after: timedelta, every_seconds: float
) -> Sweep:
    work = partial(settle_payments, messaging, settled_after)
    return Sweep("message payment sweep", work, leadership, every_seconds)


def expiry_job(messaging: Messaging, leadership: Leadership, *, every_seconds: float) -> Sweep:
    """The read path refuses an expired message on its own: the job only records the expiry
    and frees the images' storage, so it need not run often."""
    work = partial(expire_messages, messaging)
    return Sweep("message expiry", work, leadership, every_seconds)

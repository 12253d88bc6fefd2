"""The settle sweep as a background job, in one replica at a time: replies left received (the
ledger unreachable, a process stopped between saving and charging) are charged again under their
reference and settled (service_layer.charge_reply.settle_replies)."""

from __future__ import annotations

from datetime import timedelta
from functools import partial

from kinlink_kit.leadership import Leadership
from kinlink_kit.sweep import Sweep

from kinlink_sms.service_layer.charge_reply import settle_replies
from kinlink_sms.service_layer.gateway import SmsGateway


def reply_settle_sweep(
    gateway: SmsGateway, leadership: Leadership, *, settled_after: timedelta, every_seconds: float
) -> Sweep:
    work = partial(settle_replies, gateway, settled_after)
    return Sweep("sms reply settle sweep", work, leadership, every_seconds)

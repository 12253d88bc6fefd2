"""The outbound SMS's background jobs, each in one replica at a time: the dispatcher sends the
SMS due (service_layer.dispatch_sms), and the settle sweep settles what the carrier's callbacks
did not (service_layer.settle_sms)."""

from __future__ import annotations

from datetime import timedelta
from functools import partial

from kinlink_kit.leadership import Leadership
from kinlink_kit.sweep import Sweep

from kinlink_sms.service_layer.dispatch_sms import dispatch_due
from kinlink_sms.service_layer.gateway import SmsGateway
from kinlink_sms.service_layer.settle_sms import settle_sms


def dispatcher(gateway: SmsGateway, leadership: Leadership, *, every_seconds: float) -> Sweep:
    return Sweep("sms dispatcher", partial(dispatch_due, gateway), leadership, every_seconds)


def outbound_settle_sweep(
    gateway: SmsGateway, leadership: Leadership, *, settled_after: timedelta, every_seconds: float
) -> Sweep:
    work = partial(settle_sms, gateway, settled_after)
    return Sweep("sms settle sweep", work, leadership, every_seconds)

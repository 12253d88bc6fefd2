"""The ledger's sweeps as background jobs: now and then, in one replica at a time, allowances whose
card hold is about to expire are ended (service_layer.release_expiring_holds), and payments left
in flight are finished (service_layer.finish_payments)."""

from __future__ import annotations

from datetime import timedelta
from functools import partial

from kinlink_kit.leadership import Leadership
from kinlink_kit.sweep import Sweep

from kinlink_ledger.service_layer.finish_payments import finish_payments_in_flight
from kinlink_ledger.service_layer.ledger import Ledger
from kinlink_ledger.service_layer.release_expiring_holds import release_expiring_holds

# Far less than the day at least between a hold's age when swept and its expiry.
SWEEP_SECONDS = 600.0


def hold_sweep(ledger: Ledger, hold_days: int, leadership: Leadership) -> Sweep:
    work = partial(release_expiring_holds, ledger, hold_days)
    return Sweep("hold sweep", work, leadership, SWEEP_SECONDS)


def payment_sweep(
    ledger: Ledger, leadership: Leadership, *, settled_after: timedelta, every_seconds: float
) -> Sweep:
    work = partial(finish_payments_in_flight, ledger, settled_after)
    return Sweep("payment sweep", work, leadership, every_seconds)

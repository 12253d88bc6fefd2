"""Which carrier the gateway sends through, from its settings: Twilio when an account is
configured, else the simulated carrier writing under `sms` in the data directory (embedded)."""

from __future__ import annotations

from kinlink_sms.adapters.simulated_carrier import SimulatedCarrier
from kinlink_sms.adapters.twilio_carrier import TwilioCarrier
from kinlink_sms.adapters.twilio_settings import TwilioSettings


def open_carrier(settings: TwilioSettings) -> TwilioCarrier | SimulatedCarrier:
    """Twilio's statuses come to the webhook; the simulated carrier's come from its
    `reporting` job (see `entrypoints.webhook.carrier_jobs`)."""
    account = settings.twilio_account()
    if account is None:
        return SimulatedCarrier(settings.data_dir / "sms")
    return TwilioCarrier(account)

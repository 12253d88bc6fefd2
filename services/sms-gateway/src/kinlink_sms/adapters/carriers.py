"""Which carrier the gateway sends through, from its settings: Twilio when an account is
configured, else the simulated carrier writing under `sms` in the data directory (embedded)."""

from __future__ import annotations

from kinlink_sms.adapters.simulated_carrier import ReportStatus
from kinlink_sms.adapters.simulated_carrier import SimulatedCarrier
from kinlink_sms.adapters.twilio_carrier import TwilioCarrier
from kinlink_sms.adapters.twilio_settings import TwilioSettings


def open_carrier(
    settings: TwilioSettings, report_status: ReportStatus
) -> TwilioCarrier | SimulatedCarrier:
    """`report_status` takes the simulated carrier's statuses (Twilio's come to the webhook);
    the simulated carrier's `run` must then be one of the service's background jobs."""
    account = settings.twilio_account()
    if account is None:
        return SimulatedCarrier(settings.data_dir / "sms", report_status)
    return TwilioCarrier(account)

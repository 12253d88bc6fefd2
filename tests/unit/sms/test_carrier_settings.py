"""The carrier and the webhook follow the settings: Twilio with a whole account, the simulated
carrier without one, and a clear error for half an account."""

from __future__ import annotations

from pathlib import Path

import pytest
from kinlink_sms.adapters.carriers import open_carrier
from kinlink_sms.adapters.simulated_carrier import SimulatedCarrier
from kinlink_sms.adapters.twilio_carrier import TwilioCarrier
from kinlink_sms.adapters.twilio_settings import TwilioSettings
from kinlink_sms.adapters.twilio_settings import status_callback_url
from kinlink_sms.domain.ports import StatusReport
from kinlink_sms.entrypoints.webhook import WebhookServer
from kinlink_sms.entrypoints.webhook import carrier_jobs

TWILIO = {
    "KINLINK_TWILIO_ACCOUNT_SID": "AC" + "1" * 32,
    "KINLINK_TWILIO_AUTH_TOKEN": "2" * 32,
    "KINLINK_SMS_WEBHOOK_PUBLIC_URL": "https://sms.kinlink.example/",
}


class NoHandlers:
    def inbound(self, sms: object) -> str | None:
        raise AssertionError("not called")

    def status(self, reference: str, report: StatusReport) -> None:
        raise AssertionError("not called")


def test_without_an_account_the_simulated_carrier_writes_under_the_data_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KINLINK_DATA_DIR", str(tmp_path))
    settings = TwilioSettings()

    carrier = open_carrier(settings)

    assert isinstance(carrier, SimulatedCarrier)
    assert (tmp_path / "sms").is_dir()
    [job] = carrier_jobs(settings, carrier, NoHandlers())
    assert job.__qualname__ == "SimulatedCarrier.reporting.<locals>.report_statuses"


def test_with_an_account_the_sdk_and_the_webhook(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in TWILIO.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("KINLINK_SMS_WEBHOOK_PORT", "18090")
    settings = TwilioSettings()

    carrier = open_carrier(settings)

    assert isinstance(carrier, TwilioCarrier)
    [job] = carrier_jobs(settings, carrier, NoHandlers())
    assert isinstance(job.__self__, WebhookServer)  # type: ignore[attr-defined]
    account = settings.twilio_account()
    assert account is not None
    assert account.webhook_public_url == "https://sms.kinlink.example"  # no trailing slash
    assert status_callback_url(account.webhook_public_url, "code:42") == (
        "https://sms.kinlink.example/sms/status/code:42"
    )


@pytest.mark.parametrize("missing", ["KINLINK_TWILIO_AUTH_TOKEN", "KINLINK_SMS_WEBHOOK_PUBLIC_URL"])
def test_half_an_account_is_a_clear_error(monkeypatch: pytest.MonkeyPatch, missing: str) -> None:
    for name, value in TWILIO.items():
        if name != missing:
            monkeypatch.setenv(name, value)

    with pytest.raises(ValueError, match=missing):
        open_carrier(TwilioSettings())

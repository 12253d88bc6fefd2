"""The gateway's settings as the environment gives them."""

from __future__ import annotations

import pytest
from kinlink_sms.bootstrap import SmsSettings
from kinlink_sms.bootstrap import build_sms_gateway


def test_the_pool_of_kinlink_numbers_is_a_json_list(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KINLINK_SMS_NUMBERS", '["+15005550001", "+15005550002"]')
    monkeypatch.setenv("KINLINK_SMS_SEND_ATTEMPTS", "3")

    options = SmsSettings().options()

    assert options.kinlink_numbers == ("+15005550001", "+15005550002")
    assert options.send_attempts == 3


def test_a_gateway_without_its_service_account_stops_at_start(tmp_path: object) -> None:
    # It signs in to identity to charge the ledger and read messaging: without an account it
    # would fail at the first SMS, not where an operator looks.
    with pytest.raises(ValueError, match="KINLINK_SERVICE_ACCOUNT_EMAIL"):
        build_sms_gateway(SmsSettings(data_dir=tmp_path, postgres_dsn=None))

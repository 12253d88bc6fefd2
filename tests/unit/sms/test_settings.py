"""The gateway's settings as the environment gives them."""

from __future__ import annotations

import pytest
from kinlink_sms.bootstrap import SmsSettings


def test_the_pool_of_kinlink_numbers_is_a_json_list(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KINLINK_SMS_NUMBERS", '["+15005550001", "+15005550002"]')
    monkeypatch.setenv("KINLINK_SMS_SEND_ATTEMPTS", "3")

    options = SmsSettings().options()

    assert options.kinlink_numbers == ("+15005550001", "+15005550002")
    assert options.send_attempts == 3

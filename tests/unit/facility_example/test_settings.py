"""The example facility system's settings: the environment, options before it, clear refusals."""

from __future__ import annotations

from pathlib import Path

import pytest
from kinlink_contracts import topology
from kinlink_facility_example.cli import main
from kinlink_facility_example.settings import FacilitySettings

ENVIRONMENT = {"KINLINK_KAFKA_BOOTSTRAP": "kafka:9092", "KINLINK_FACILITY_ID": "FAC-1"}


def test_the_books_and_the_consumer_group_are_named_after_the_facility() -> None:
    settings = FacilitySettings.from_env(ENVIRONMENT)
    assert (settings.kafka_bootstrap, settings.facility_id) == ("kafka:9092", "FAC-1")
    assert (settings.state_file, settings.consumer_group) == (
        Path("facility-FAC-1.sqlite"),
        "facility-FAC-1",
    )


def test_options_win_over_the_environment() -> None:
    settings = FacilitySettings.from_env(
        ENVIRONMENT, facility_id="FAC-2", facility_consumer_group="trust-accounts"
    )
    assert (settings.facility_id, settings.consumer_group) == ("FAC-2", "trust-accounts")
    assert settings.state_file == Path("facility-FAC-2.sqlite")


def test_a_missing_setting_is_named_with_its_option(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("KINLINK_FACILITY_ID", raising=False)
    with pytest.raises(ValueError, match="set KINLINK_FACILITY_ID or --facility-id"):
        FacilitySettings.from_env({"KINLINK_KAFKA_BOOTSTRAP": "kafka:9092"})
    assert main(["--kafka-bootstrap=kafka:9092", "account", "R-1"]) == 2
    assert "--facility-id" in capsys.readouterr().err


def test_it_writes_and_follows_only_what_the_contracts_allow_a_facility_integration() -> None:
    settings = FacilitySettings.from_env(ENVIRONMENT)
    party = topology.FACILITY_INTEGRATION
    assert (settings.topics.facility,) == party.publishes
    assert set(settings.topics.followed()) <= {c.topic for c in party.consumes}
    assert party.group_prefix is not None
    assert settings.consumer_group.startswith(party.group_prefix)


def test_signing_in_without_a_user_is_refused_naming_the_settings() -> None:
    settings = FacilitySettings.from_env(
        {**ENVIRONMENT, "KINLINK_KAFKA_SECURITY_PROTOCOL": "SASL_PLAINTEXT"}
    )
    with pytest.raises(ValueError, match="set KINLINK_KAFKA_USERNAME and KINLINK_KAFKA_PASSWORD"):
        settings.sign_in.client_options()

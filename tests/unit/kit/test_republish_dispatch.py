"""`kinlink-<service> republish ...` reaches the republish command, not the server."""

from __future__ import annotations

from pathlib import Path

import pytest
from kinlink_kit.bus import Bus
from kinlink_kit.runtime import ServiceParts
from kinlink_kit.runtime import run_service
from kinlink_kit.settings import ServiceSettings


def test_the_republish_subcommand_runs_instead_of_the_service(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    def start(settings: ServiceSettings, bus: Bus) -> ServiceParts:
        raise AssertionError("nothing is built without a broker to republish to")

    monkeypatch.setattr("sys.argv", ["kinlink-test", "republish", "--topic", "kinlink.test.v1"])
    settings = ServiceSettings(service_name="test", data_dir=tmp_path, kafka_bootstrap=None)
    with pytest.raises(SystemExit) as exited:
        run_service(settings, start)
    assert exited.value.code == 2  # refused for want of KINLINK_KAFKA_BOOTSTRAP, not served

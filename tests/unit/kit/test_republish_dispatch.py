"""`kinlink-<service> republish ...` reaches the republish command, not the server."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def test_the_republish_subcommand_runs_instead_of_the_service(tmp_path: Path) -> None:
    script = Path(sys.executable).parent / "kinlink-ledger"
    env = {"PATH": os.environ["PATH"], "KINLINK_DATA_DIR": str(tmp_path)}
    finished = subprocess.run(
        [script, "republish", "--topic", "kinlink.ledger.events.v1"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    # Refused for want of a broker to republish to; a server would have refused for want of
    # token keys, with another status.
    assert finished.returncode == 2, finished.stdout + finished.stderr
    assert "KINLINK_KAFKA_BOOTSTRAP is not set" in finished.stdout + finished.stderr

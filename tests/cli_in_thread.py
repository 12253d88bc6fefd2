"""The CLI against a service a test serves: each command run in a worker thread (its gRPC calls
block, and the service serves from the test's event loop), with the caller's token, its own
configuration folder and the terminal in Chicago's time zone."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from typing import ClassVar

from click.testing import CliRunner
from click.testing import Result
from kinlink_cli.main import cli

TERMINAL_ZONE = "America/Chicago"


@dataclass
class CliInThread:
    """`kinlink <group> ...` (the subclass names its `group`) calling `address`."""

    group: ClassVar[str]
    address: str
    config_home: Path

    async def __call__(self, *args: str, token: str) -> Result:
        env = {
            "KINLINK_TARGET": self.address,
            "XDG_CONFIG_HOME": str(self.config_home),
            "KINLINK_TOKEN": token,
            "TZ": TERMINAL_ZONE,
        }
        return await asyncio.to_thread(CliRunner(env=env).invoke, cli, [self.group, *args])

    async def json(self, *args: str, token: str) -> Any:
        result = await self(*args, "--json", token=token)
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)

"""The local infrastructure's script (deploy/local/infra.py) loaded as a module, for the tests
that start private servers of their own: these stop and start servers, which the shared ones
(other tests run on them) must never be. Their data goes under .cache/infra/private."""

from __future__ import annotations

import importlib.util
import shutil
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType
from typing import Any

from tests.conftest import ROOT


def _load_infra() -> ModuleType:
    spec = importlib.util.spec_from_file_location("kinlink_infra", ROOT / "deploy/local/infra.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses and classes look themselves up there
    spec.loader.exec_module(module)
    return module


infra_script = _load_infra()


def private_home(kind: str) -> Path:
    return Path(infra_script.STATE) / "private" / f"{kind}-{uuid.uuid4().hex[:8]}"


@contextmanager
def running(server: Any) -> Iterator[Any]:
    """A private server (`start`, `stop`, its `home`) started, then stopped and its data
    deleted."""
    server.start()
    try:
        yield server
    finally:
        server.stop()
        shutil.rmtree(server.home, ignore_errors=True)

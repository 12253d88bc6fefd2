"""Service processes as operators run them (`python -m <service>.entrypoints.main`), for tests
that need several on one database."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from collections.abc import Mapping
from contextlib import contextmanager
from pathlib import Path

import grpc
from grpc_health.v1 import health_pb2
from grpc_health.v1 import health_pb2_grpc
from kinlink_kit.testing import Infra
from kinlink_kit.testing import free_port

from tests.conftest import ROOT
from tests.conftest import TokenKeys


def service_env(infra: Infra, database: str, token_keys: TokenKeys) -> dict[str, str]:
    """What every service process of a test needs: the test's database, the real Kafka with a
    consumer group of its own, and the keys that verify the test's tokens."""
    return {
        **token_keys.env(),
        "KINLINK_POSTGRES_DSN": infra.postgres_dsn,
        "KINLINK_DATABASE": database,
        "KINLINK_KAFKA_BOOTSTRAP": infra.kafka_bootstrap,
        "KINLINK_CONSUMER_GROUP": f"test-{uuid.uuid4().hex[:8]}",
    }


def service_process(
    module: str, env: Mapping[str, str], logs: Path
) -> tuple[subprocess.Popen[bytes], str]:
    """One process of `module` on a free gRPC port, logging to `logs`, and its address: for a
    test that kills it itself."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", module],
        cwd=ROOT,
        env={**os.environ, **env, "KINLINK_GRPC_PORT": str(port)},
        stdout=(logs / f"{module}-{port}.log").open("w"),
        stderr=subprocess.STDOUT,
    )
    return process, f"127.0.0.1:{port}"


@contextmanager
def service_processes(
    module: str, count: int, env: Mapping[str, str], logs: Path
) -> Iterator[list[str]]:
    """`count` processes of `module`, each on a free gRPC port, logging to `logs`; yields their
    addresses. On exit: SIGTERM, and each must stop cleanly (exit 0)."""
    addresses, processes = [], []
    for _ in range(count):
        process, address = service_process(module, env, logs)
        processes.append(process)
        addresses.append(address)
    try:
        yield addresses
    finally:
        for log in logs.glob(f"{module}-*.log"):  # pytest shows it when the test failed
            print(f"--- {log.name}\n{log.read_text()[-5000:]}")
        for process in processes:
            process.terminate()
    for process in processes:
        assert process.wait(timeout=30) == 0, f"{module} did not shut down cleanly on SIGTERM"


async def is_serving(address: str) -> bool:
    async with grpc.aio.insecure_channel(address) as channel:
        try:
            answer = await health_pb2_grpc.HealthStub(channel).Check(
                health_pb2.HealthCheckRequest(), timeout=1
            )
        except grpc.aio.AioRpcError:
            return False
    return answer.status == health_pb2.HealthCheckResponse.SERVING

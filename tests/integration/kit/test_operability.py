"""What operators rely on: JSON logs with correlation ids, and Prometheus metrics."""

from __future__ import annotations

import json
import logging
import urllib.request
from collections.abc import Iterator

import grpc
import pytest
import structlog
from kinlink.ledger.v1 import ledger_pb2 as pb
from kinlink.ledger.v1 import ledger_pb2_grpc
from kinlink_kit.logging import configure_logging
from kinlink_kit.metrics import serve_metrics
from kinlink_kit.testing import free_port

from tests.conftest import TokenKeys


@pytest.fixture
def json_logs() -> Iterator[None]:
    configure_logging("ledger", "INFO")
    yield
    structlog.reset_defaults()
    logging.getLogger().handlers.clear()


@pytest.mark.usefixtures("json_logs")
async def test_logs_are_json_lines_carrying_the_callers_correlation_id_and_metrics_count_calls(
    channel: grpc.aio.Channel,
    token_keys: TokenKeys,
    capsys: pytest.CaptureFixture[str],
) -> None:
    metrics_port = free_port()
    serve_metrics(metrics_port)
    stub = ledger_pb2_grpc.LedgerServiceStub(channel)
    with pytest.raises(grpc.aio.AioRpcError):
        await stub.QuoteDeposit(
            pb.QuoteDepositRequest(facility_id="NOPE", resident_id="R", amount_cents=100),
            metadata=[("x-correlation-id", "support-case-42"), *token_keys.family("D")],
        )
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.strip()]
    refused = [line for line in lines if line["message"] == "rpc refused"]
    assert refused, lines
    assert refused[0]["correlation_id"] == "support-case-42"
    assert refused[0]["code"] == "facility_not_found"
    assert refused[0]["account_id"] == "D", "logs name the signed-in caller"
    assert {"timestamp", "level", "service"} <= set(refused[0])

    with urllib.request.urlopen(f"http://127.0.0.1:{metrics_port}/metrics", timeout=5) as answer:
        exposition = answer.read().decode()
    assert (
        'kinlink_rpc_seconds_count{code="NOT_FOUND",'
        'method="/kinlink.ledger.v1.LedgerService/QuoteDeposit"}'
    ) in exposition

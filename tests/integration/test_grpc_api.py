"""The ledger over gRPC, as a client sees it: statuses with stable codes, health, reflection."""

from __future__ import annotations

from collections.abc import AsyncIterator

import grpc
import pytest
from google.rpc import error_details_pb2
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc
from grpc_status import rpc_status
from kinlink.ledger.v1 import ledger_pb2 as pb
from kinlink.ledger.v1 import ledger_pb2_grpc
from kinlink_kit.bus import InMemoryBus
from kinlink_ledger.bootstrap import LedgerSettings, ledger_service
from kinlink_ledger.service_layer.ledger import Ledger

from tests.serving import serving


@pytest.fixture
async def channel(
    ledger: Ledger, ledger_settings: LedgerSettings
) -> AsyncIterator[grpc.aio.Channel]:
    bus = InMemoryBus()
    async with (
        serving([ledger_service(ledger_settings, bus, ledger)], bus) as address,
        grpc.aio.insecure_channel(address) as chan,
    ):
        yield chan


def error_info(error: grpc.aio.AioRpcError) -> error_details_pb2.ErrorInfo:
    status = rpc_status.from_call(error)  # type: ignore[arg-type]
    assert status is not None
    info = error_details_pb2.ErrorInfo()
    assert any(detail.Unpack(info) for detail in status.details)
    return info


async def test_quote_and_confirm_over_grpc(channel: grpc.aio.Channel) -> None:
    stub = ledger_pb2_grpc.LedgerServiceStub(channel)
    quote = await stub.QuoteDeposit(
        pb.QuoteDepositRequest(
            facility_id="FAC-DEMO", resident_id="R-1", depositor_id="D-1", amount_cents=5000
        )
    )
    assert (quote.fee_cents, quote.total_cents, quote.weekly_remaining_cents) == (595, 5595, 30000)
    deposit = await stub.ConfirmDeposit(
        pb.ConfirmDepositRequest(
            quote_id=quote.quote_id, payment_method="pm_card_visa", idempotency_key="k-1"
        )
    )
    assert deposit.status == pb.DEPOSIT_STATUS_CAPTURED
    assert deposit.receipt.receipt_number.startswith("KL-")
    listed = await stub.ListDeposits(pb.ListDepositsRequest(depositor_id="D-1"))
    assert [d.deposit_id for d in listed.deposits] == [deposit.deposit_id]


async def test_bad_input_gets_invalid_argument_with_code_and_field(
    channel: grpc.aio.Channel,
) -> None:
    stub = ledger_pb2_grpc.LedgerServiceStub(channel)
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await stub.QuoteDeposit(
            pb.QuoteDepositRequest(
                facility_id="FAC-DEMO", resident_id="R-1", depositor_id="D-1", amount_cents=0
            )
        )
    assert refused.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    info = error_info(refused.value)
    assert (info.reason, info.metadata["field"]) == ("amount_not_positive", "amount_cents")

    with pytest.raises(grpc.aio.AioRpcError) as missing:
        await stub.GetDeposit(
            pb.GetDepositRequest(deposit_id="8b2c1e4e-0000-4000-8000-000000000000")
        )
    assert missing.value.code() == grpc.StatusCode.NOT_FOUND
    assert error_info(missing.value).reason == "deposit_not_found"


async def test_unexpected_errors_are_internal_with_a_reference_code(
    channel: grpc.aio.Channel, ledger: Ledger, capsys: pytest.CaptureFixture[str]
) -> None:
    def broken(_: str) -> None:
        raise RuntimeError("the settings file vanished")

    ledger.facilities.get = broken  # type: ignore[method-assign]
    stub = ledger_pb2_grpc.LedgerServiceStub(channel)
    with pytest.raises(grpc.aio.AioRpcError) as failed:
        await stub.QuoteDeposit(
            pb.QuoteDepositRequest(
                facility_id="FAC-DEMO", resident_id="R-1", depositor_id="D-1", amount_cents=100
            )
        )
    assert failed.value.code() == grpc.StatusCode.INTERNAL
    assert "vanished" not in (failed.value.details() or "")
    reference = (failed.value.details() or "").rsplit(" ", 1)[-1].rstrip(".")
    logged = capsys.readouterr().out
    assert reference in logged and "the settings file vanished" in logged


async def test_health_and_reflection_answer(channel: grpc.aio.Channel) -> None:
    health = health_pb2_grpc.HealthStub(channel)
    for service in ("", "kinlink.ledger.v1.LedgerService"):
        answer = await health.Check(health_pb2.HealthCheckRequest(service=service))
        assert answer.status == health_pb2.HealthCheckResponse.SERVING
    reflection = reflection_pb2_grpc.ServerReflectionStub(channel)
    responses = reflection.ServerReflectionInfo(
        iter([reflection_pb2.ServerReflectionRequest(list_services="")])
    )
    async for response in responses:
        names = {s.name for s in response.list_services_response.service}
        assert "kinlink.ledger.v1.LedgerService" in names
        break

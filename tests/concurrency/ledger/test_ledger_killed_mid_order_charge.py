"""A ledger process killed (SIGKILL) after the processor charged a commissary order's attempt and
before the ledger saved the capture, on the real PostgreSQL: after a restart the payment sweep
finishes the attempt through the payment it recorded, a later attempt gets that capture, and the
card is charged exactly once."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path

import grpc
from kinlink.ledger.v1 import ledger_pb2 as pb
from kinlink.ledger.v1 import ledger_pb2_grpc
from kinlink_kit.auth import Role
from kinlink_kit.testing import Infra
from kinlink_kit.testing import eventually
from kinlink_ledger.adapters.simulated_processor import SimulatedProcessor

from tests.concurrency.processes import is_serving
from tests.concurrency.processes import service_env
from tests.concurrency.processes import service_process
from tests.concurrency.processes import service_processes
from tests.conftest import TokenKeys
from tests.conftest import bearer
from tests.ledger_grpc import identity_tells

MODULE = "kinlink_ledger.entrypoints.main"
AMOUNT = 4321


async def test_an_order_charged_before_a_kill_is_captured_once_after_the_restart(
    infra: Infra, fresh_database: str, token_keys: TokenKeys, tmp_path: Path
) -> None:
    state = tmp_path / "processor.json"
    env = {
        **service_env(infra, fresh_database, token_keys),
        "KINLINK_SIMULATED_PROCESSOR_STATE_FILE": str(state),
    }
    facility, resident = f"FAC-{uuid.uuid4().hex[:8]}", f"R-{uuid.uuid4().hex[:8]}"
    account, order_id = str(uuid.uuid4()), str(uuid.uuid4())
    commissary = bearer(token_keys.token("commissary", Role.PLATFORM_SERVICE))

    def attempt(number: int) -> pb.ChargeOrderRequest:
        return pb.ChargeOrderRequest(
            order_id=order_id,
            attempt=number,
            account_id=account,
            facility_id=facility,
            resident_id=resident,
            amount_cents=AMOUNT,
            payment_method="pm_card_visa",
        )

    async def charged() -> bool:
        return state.exists() and SimulatedProcessor(state_file=state).charges(
            order_id=order_id
        ) == [AMOUNT]

    # The first process: its processor records the charge, then never answers in time.
    slow = {**env, "KINLINK_SIMULATED_PROCESSOR_ANSWER_DELAY_SECONDS": "3600"}
    first, address = service_process(MODULE, slow, tmp_path)
    try:
        await eventually(lambda: is_serving(address), timeout=60)
        async with grpc.aio.insecure_channel(address) as channel:
            stub = ledger_pb2_grpc.LedgerServiceStub(channel)
            family = token_keys.family(account)
            await identity_tells(infra.kafka_bootstrap, stub, family, account, facility, resident)
            charging = asyncio.ensure_future(stub.ChargeOrder(attempt(1), metadata=commissary))
            await eventually(charged, timeout=30)
            first.kill()  # SIGKILL: the capture is never saved
            assert first.wait(timeout=30) == -9
            assert not charging.done() or charging.exception() is not None
            charging.cancel()
    finally:
        first.kill()

    restarted = {
        **env,
        "KINLINK_PAYMENT_SWEEP_AFTER_SECONDS": "1",
        "KINLINK_PAYMENT_SWEEP_EVERY_SECONDS": "0.5",
    }
    with service_processes(MODULE, 1, restarted, tmp_path) as [address]:
        await eventually(lambda: is_serving(address), timeout=60)
        async with grpc.aio.insecure_channel(address) as channel:
            stub = ledger_pb2_grpc.LedgerServiceStub(channel)
            get = pb.GetOrderChargeRequest(order_id=order_id)

            async def captured() -> bool:
                found = await stub.GetOrderCharge(get, metadata=commissary)
                return found.status == pb.ORDER_CHARGE_STATUS_CAPTURED

            await eventually(captured, timeout=60)
            later = await stub.ChargeOrder(attempt(2), metadata=commissary)
            balance = await stub.GetTrialBalance(
                pb.GetTrialBalanceRequest(),
                metadata=bearer(token_keys.token("auditor", Role.AUDITOR)),
            )
    assert (later.attempt, later.status) == (1, pb.ORDER_CHARGE_STATUS_CAPTURED)
    assert SimulatedProcessor(state_file=state).charges(order_id=order_id) == [AMOUNT]
    assert balance.balanced
    clearing = {a.account: a.balance_cents for a in balance.accounts}["card_clearing"]
    assert clearing == AMOUNT

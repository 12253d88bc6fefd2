"""A ledger process killed (SIGKILL) after the processor charged a deposit and before the ledger
saved the capture: after a restart, the payment sweep finishes the deposit through the payment it
recorded. The card is charged exactly once and the resident's week counts the deposit once."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import uuid
from pathlib import Path

import grpc
from kinlink.ledger.v1 import ledger_pb2 as pb
from kinlink.ledger.v1 import ledger_pb2_grpc
from kinlink_kit.auth import Role
from kinlink_kit.testing import Infra
from kinlink_kit.testing import eventually
from kinlink_kit.testing import free_port
from kinlink_ledger.adapters.simulated_processor import SimulatedProcessor
from kinlink_ledger.domain.ids import deposit_id

from tests.concurrency.processes import is_serving
from tests.concurrency.processes import service_env
from tests.concurrency.processes import service_processes
from tests.conftest import ROOT
from tests.conftest import TokenKeys
from tests.conftest import bearer
from tests.ledger_grpc import identity_tells

MODULE = "kinlink_ledger.entrypoints.main"
FACILITY = f"FAC-{uuid.uuid4().hex[:8]}"
AMOUNT, TOTAL = 5000, 5595  # $50.00 and the demo facility's fee


async def test_a_deposit_charged_before_a_kill_is_finished_once_after_the_restart(
    infra: Infra, fresh_database: str, token_keys: TokenKeys, tmp_path: Path
) -> None:
    state = tmp_path / "processor.json"
    env = {
        **service_env(infra, fresh_database, token_keys),
        "KINLINK_SIMULATED_PROCESSOR_STATE_FILE": str(state),
    }
    account = str(uuid.uuid4())
    family = token_keys.family(account)
    resident = f"R-{uuid.uuid4().hex[:8]}"

    # The first process: its processor records the charge, then never answers in time.
    port = free_port()
    first = subprocess.Popen(
        [sys.executable, "-m", MODULE],
        cwd=ROOT,
        env={
            **os.environ,
            **env,
            "KINLINK_GRPC_PORT": str(port),
            "KINLINK_SIMULATED_PROCESSOR_ANSWER_DELAY_SECONDS": "3600",
        },
        stdout=(tmp_path / "first.log").open("w"),
        stderr=subprocess.STDOUT,
    )
    try:
        address = f"127.0.0.1:{port}"
        await eventually(lambda: is_serving(address), timeout=60)
        async with grpc.aio.insecure_channel(address) as channel:
            stub = ledger_pb2_grpc.LedgerServiceStub(channel)
            await identity_tells(infra.kafka_bootstrap, stub, family, account, FACILITY, resident)
            quote = await stub.QuoteDeposit(
                pb.QuoteDepositRequest(
                    facility_id=FACILITY, resident_id=resident, amount_cents=AMOUNT
                ),
                metadata=family,
            )
            confirming = asyncio.ensure_future(
                stub.ConfirmDeposit(
                    pb.ConfirmDepositRequest(
                        quote_id=quote.quote_id, payment_method="pm_card_visa", idempotency_key="k"
                    ),
                    metadata=family,
                )
            )
            deposit = str(deposit_id(uuid.UUID(quote.quote_id)))

            async def charged() -> bool:
                return state.exists() and SimulatedProcessor(state_file=state).charges(
                    deposit_id=deposit
                ) == [TOTAL]

            await eventually(charged, timeout=30)
            first.kill()  # SIGKILL: the capture is never saved
            assert first.wait(timeout=30) == -9
            assert not confirming.done() or confirming.exception() is not None
            confirming.cancel()
    finally:
        first.kill()
        print(f"--- first.log\n{(tmp_path / 'first.log').read_text()[-5000:]}")

    # The restarted process finishes it within a second of sweeping.
    restarted = {
        **env,
        "KINLINK_PAYMENT_SWEEP_AFTER_SECONDS": "1",
        "KINLINK_PAYMENT_SWEEP_EVERY_SECONDS": "0.5",
    }
    auditor = bearer(token_keys.token("auditor", Role.AUDITOR))
    with service_processes(MODULE, 1, restarted, tmp_path) as [address]:
        await eventually(lambda: is_serving(address), timeout=60)
        async with grpc.aio.insecure_channel(address) as channel:
            stub = ledger_pb2_grpc.LedgerServiceStub(channel)

            async def captured() -> bool:
                history = await stub.ListDeposits(
                    pb.ListDepositsRequest(resident_id=resident, facility_id=FACILITY),
                    metadata=auditor,
                )
                return [(d.deposit_id, d.status) for d in history.deposits] == [
                    (deposit, pb.DEPOSIT_STATUS_CAPTURED)
                ]

            await eventually(captured, timeout=60)
            again = await stub.QuoteDeposit(
                pb.QuoteDepositRequest(
                    facility_id=FACILITY, resident_id=resident, amount_cents=100
                ),
                metadata=family,
            )
    assert SimulatedProcessor(state_file=state).charges(deposit_id=deposit) == [TOTAL]
    assert again.weekly_remaining_cents == 30000 - AMOUNT

"""A messaging process killed (SIGKILL) while sends are in flight, at the worst moment: the
ledger charged, and messaging never heard it (the way to the ledger holds the answers; the
process dies waiting). Sends that had not reached the ledger die with it. After a restart the
payment sweep submits what was charged and abandons what was not; the family is charged once
per message sent, every charge has its message and every message its charge, and each message
is published once. Sending again with the same client keys gives the same messages."""

from __future__ import annotations

import asyncio
from pathlib import Path

import grpc
from kinlink.messaging.v1 import messaging_pb2 as pb
from kinlink.messaging.v1 import messaging_pb2_grpc
from kinlink_kit.testing import Infra
from kinlink_kit.testing import eventually
from kinlink_kit.testing import free_port

from tests.concurrency.messaging.conftest import FUNDING
from tests.concurrency.messaging.conftest import MODULE
from tests.concurrency.messaging.conftest import Around
from tests.concurrency.messaging.conftest import balance
from tests.concurrency.messaging.conftest import charge_of
from tests.concurrency.messaging.conftest import knows_resident
from tests.concurrency.messaging.conftest import settled
from tests.concurrency.messaging.conftest import submissions
from tests.concurrency.messaging.conftest import sweeping
from tests.concurrency.processes import is_serving
from tests.concurrency.processes import service_process
from tests.concurrency.processes import service_processes

KEYS = [f"send-{n}" for n in range(5)]
CHARGED = 3  # of KEYS, the sends the ledger charges before the kill; the others never reach it
LAST = "after-the-restart"


async def test_messages_charged_before_a_kill_are_sent_once_and_the_rest_not_charged(
    infra: Infra, around: Around, tmp_path: Path
) -> None:
    ledger, family, between = around.ledger, around.family, around.between
    metadata = family.metadata
    between.holding_charges = CHARGED
    # The wallet's deadline would otherwise end the wait before the kill on a slow machine.
    first, address = service_process(
        MODULE, {**around.env, "KINLINK_WALLET_DEADLINE_SECONDS": "3600"}, tmp_path
    )
    try:
        await eventually(lambda: is_serving(address), timeout=60)
        async with grpc.aio.insecure_channel(address) as channel:
            stub = messaging_pb2_grpc.MessagingServiceStub(channel)
            await eventually(lambda: knows_resident(stub, family), timeout=120)
            sending = [
                asyncio.ensure_future(stub.SendMessage(family.send(key), metadata=metadata))
                for key in KEYS
            ]

            async def all_at_the_ledger() -> bool:
                return len(between.charged) == CHARGED and len(between.held) == len(KEYS) - CHARGED

            await eventually(all_at_the_ledger, timeout=60)
            first.kill()  # SIGKILL: no submission recorded, no answer given
            assert first.wait(timeout=30) == -9
            outcomes = await asyncio.gather(*sending, return_exceptions=True)
            assert all(isinstance(outcome, grpc.aio.AioRpcError) for outcome in outcomes)
    finally:
        first.kill()
    charged_keys = [key for key in KEYS if family.reference(key) in between.charged]
    assert len(charged_keys) == CHARGED
    assert [charge_of(ledger, family, key) is not None for key in KEYS] == [
        key in charged_keys for key in KEYS
    ]

    # Restarted, the way to the ledger clear: the sweep settles every message by the ledger's
    # record, then the same sends again.
    between.holding_charges = None
    metrics_port = free_port()
    with service_processes(MODULE, 1, sweeping(around.env, metrics_port), tmp_path) as [address]:
        await eventually(lambda: is_serving(address), timeout=60)

        async def all_settled() -> bool:
            return (settled(metrics_port, "submitted"), settled(metrics_port, "abandoned")) == (
                CHARGED,
                len(KEYS) - CHARGED,
            )

        await eventually(all_settled, timeout=60)
        async with grpc.aio.insecure_channel(address) as channel:
            stub = messaging_pb2_grpc.MessagingServiceStub(channel)
            sent = await stub.ListSent(pb.ListSentRequest(page_size=50), metadata=metadata)
            assert {m.message_id for m in sent.messages} == {
                str(family.message_id(key)) for key in charged_keys
            }
            again = [await stub.SendMessage(family.send(key), metadata=metadata) for key in KEYS]
            last = await stub.SendMessage(family.send(LAST), metadata=metadata)
        # Read while the process runs: its outbox relay publishes what it saved.
        published = await submissions(infra, family, LAST)

    assert [m.message_id for m in again] == [str(family.message_id(key)) for key in KEYS]
    assert all(m.status != pb.MESSAGE_STATUS_UNSPECIFIED for m in [*again, last])
    charges = {key: charge_of(ledger, family, key) for key in [*KEYS, LAST]}
    assert all(amount for amount in charges.values()), charges
    assert [m.charged_cents for m in [*again, last]] == list(charges.values())
    assert balance(ledger, family) == FUNDING - sum(charges.values())  # type: ignore[arg-type]
    assert sorted(published) == sorted(family.message_id(key) for key in [*KEYS, LAST])

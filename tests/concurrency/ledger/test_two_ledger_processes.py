"""Two ledger processes on one PostgreSQL, 20 concurrent deposits to one resident."""

from __future__ import annotations

import asyncio
import uuid

import grpc
from kinlink.ledger.v1 import ledger_pb2 as pb
from kinlink.ledger.v1 import ledger_pb2_grpc
from kinlink_contracts.demo import DEMO_FACILITIES
from kinlink_contracts.demo import FAC_DEMO
from kinlink_contracts.demo import card_added
from kinlink_contracts.demo import facility_configured
from kinlink_contracts.demo import resident_booked
from kinlink_contracts.topics import IDENTITY_EVENTS
from kinlink_kit.auth import Role
from kinlink_kit.testing import Infra
from kinlink_kit.testing import eventually

from tests.concurrency.processes import is_serving
from tests.conftest import TokenKeys
from tests.conftest import bearer
from tests.ledger_grpc import takes_deposits
from tests.streams.kafka_helpers import produce

DEPOSITORS = 20
AMOUNT = 2000  # 20 x $20.00 against the $300.00 weekly limit: exactly 15 can be captured
# Configured by this test alone (with the demo facility's settings): the topic keeps other runs'.
FACILITY = f"FAC-{uuid.uuid4().hex[:8]}"


async def test_concurrent_deposits_never_pass_the_weekly_limit(
    infra: Infra, two_ledgers: list[str], token_keys: TokenKeys
) -> None:
    resident = f"R-{uuid.uuid4().hex[:8]}"
    accounts = [str(uuid.uuid4()) for _ in range(DEPOSITORS)]
    events = [
        facility_configured(FACILITY, DEMO_FACILITIES[FAC_DEMO]),
        *(card_added(account, "pm_card_visa") for account in accounts),
        resident_booked(FACILITY, resident),
    ]
    # One key, so one partition: the booking is applied after everything before it.
    await produce(
        infra.kafka_bootstrap,
        IDENTITY_EVENTS,
        [(FACILITY.encode(), event.to_bytes()) for event in events],
    )
    for address in two_ledgers:
        await eventually(lambda a=address: is_serving(a), timeout=60)
    channels = [grpc.aio.insecure_channel(address) for address in two_ledgers]
    stubs = [ledger_pb2_grpc.LedgerServiceStub(channel) for channel in channels]
    families = [token_keys.family(account) for account in accounts]
    try:
        for stub in stubs:
            await eventually(
                lambda s=stub: takes_deposits(s, families[0], FACILITY, resident), timeout=60
            )
        quotes = [
            await stubs[i % 2].QuoteDeposit(
                pb.QuoteDepositRequest(
                    facility_id=FACILITY, resident_id=resident, amount_cents=AMOUNT
                ),
                metadata=families[i],
            )
            for i in range(DEPOSITORS)
        ]
        results = await asyncio.gather(
            *(
                stubs[i % 2].ConfirmDeposit(
                    pb.ConfirmDepositRequest(
                        quote_id=quote.quote_id,
                        payment_method="pm_card_visa",
                        idempotency_key=f"key-{i}",
                    ),
                    metadata=families[i],
                    timeout=60,
                )
                for i, quote in enumerate(quotes)
            )
        )
        history = await stubs[0].ListDeposits(
            pb.ListDepositsRequest(resident_id=resident, facility_id=FACILITY),
            metadata=bearer(token_keys.token("auditor", Role.AUDITOR)),
        )
    finally:
        for channel in channels:
            await channel.close()

    captured = [r for r in results if r.status == pb.DEPOSIT_STATUS_CAPTURED]
    declined = [r for r in results if r.status == pb.DEPOSIT_STATUS_DECLINED]
    assert len(captured) + len(declined) == DEPOSITORS, "every confirmation gets a definite answer"
    assert {r.decline_reason for r in declined} <= {"limit_exceeded"}
    assert sum(r.amount_cents for r in captured) == 30000
    assert len(captured) == 15
    recorded = [d for d in history.deposits if d.status == pb.DEPOSIT_STATUS_CAPTURED]
    assert sorted(d.deposit_id for d in recorded) == sorted(r.deposit_id for r in captured)

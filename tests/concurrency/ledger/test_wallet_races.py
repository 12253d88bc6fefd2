"""Two ledger processes on one PostgreSQL, many concurrent charges to one family's wallet, then
refunds of each repeated at once: the balance never goes negative, a reference charges once and
is refunded once, and the journal balances."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable

import grpc
from kinlink.ledger.v1 import ledger_pb2 as pb
from kinlink.ledger.v1 import ledger_pb2_grpc
from kinlink_contracts.demo import DEMO_FACILITIES
from kinlink_contracts.demo import FAC_DEMO
from kinlink_contracts.demo import facility_configured
from kinlink_contracts.envelope import Envelope
from kinlink_contracts.identity import MessagingSubscriptionCardChosen
from kinlink_contracts.topics import IDENTITY_EVENTS
from kinlink_kit.auth import Role
from kinlink_kit.testing import Infra
from kinlink_kit.testing import eventually
from kinlink_kit.testing import refusal_of

from tests.concurrency.processes import is_serving
from tests.conftest import TokenKeys
from tests.conftest import bearer
from tests.streams.kafka_helpers import produce

FACILITY = f"FAC-{uuid.uuid4().hex[:8]}"  # the demo facility's settings: messages cost 50 cents
CHARGES = 40  # 40 more messages against a $10.00 funding: 19 can be paid


async def test_concurrent_charges_never_overdraw_and_a_reference_pays_once(
    infra: Infra, two_ledgers: list[str], token_keys: TokenKeys
) -> None:
    account = uuid.uuid4()
    chosen = MessagingSubscriptionCardChosen(
        account_id=account, card_id=uuid.uuid4(), payment_method="pm_card_visa"
    )
    configured = facility_configured(FACILITY, DEMO_FACILITIES[FAC_DEMO])
    card = Envelope.wrap(chosen, key=str(account), producer="identity", correlation_id="")
    await produce(
        infra.kafka_bootstrap,
        IDENTITY_EVENTS,
        [(FACILITY.encode(), configured.to_bytes()), (str(account).encode(), card.to_bytes())],
    )
    for address in two_ledgers:
        await eventually(lambda a=address: is_serving(a), timeout=60)
    channels = [grpc.aio.insecure_channel(address) for address in two_ledgers]
    stubs = [ledger_pb2_grpc.LedgerServiceStub(channel) for channel in channels]
    family = token_keys.family(str(account))
    messaging = bearer(token_keys.token("messaging", Role.PLATFORM_SERVICE))
    auditor = bearer(token_keys.token("auditor", Role.AUDITOR))
    try:

        async def set_up() -> bool:
            try:
                await stubs[0].SetUpSubscription(
                    pb.SetUpSubscriptionRequest(facility_id=FACILITY, funding_amount_cents=1000),
                    metadata=family,
                )
            except grpc.aio.AioRpcError as error:  # identity's events not applied yet
                if error.code() in (grpc.StatusCode.NOT_FOUND, grpc.StatusCode.FAILED_PRECONDITION):
                    return False
                raise
            return True

        await eventually(set_up, timeout=60)

        async def charge(i: int, reference: str) -> pb.WalletCharge | grpc.aio.AioRpcError:
            try:
                return await stubs[i % 2].Charge(
                    pb.ChargeRequest(
                        account_id=str(account),
                        facility_id=FACILITY,
                        kind="message",
                        quantity=1,
                        reference=reference,
                    ),
                    metadata=messaging,
                    timeout=60,
                )
            except grpc.aio.AioRpcError as error:
                return error

        # A message whose charge is retried at once, on both processes: paid once.
        repeated = await asyncio.gather(*(charge(i, "msg-dup") for i in range(10)))
        results = await asyncio.gather(*(charge(i, f"msg-{i}") for i in range(CHARGES)))
        wallet = await stubs[1].GetWallet(
            pb.GetWalletRequest(account_id=str(account)), metadata=auditor
        )
        trial = await stubs[0].GetTrialBalance(pb.GetTrialBalanceRequest(), metadata=auditor)

        # Every paid message refunded three times at once, on both processes: credited once.
        def refund(i: int, reference: str) -> Awaitable[pb.WalletCharge]:
            request = pb.RefundChargeRequest(
                account_id=str(account), reference=reference, reason="Rejected"
            )
            return stubs[i % 2].RefundCharge(request, metadata=messaging, timeout=60)

        references = ["msg-dup"] + [f"msg-{i}" for i in range(CHARGES)]
        paid_references = [
            r
            for r, result in zip(references, [repeated[0], *results], strict=True)
            if isinstance(result, pb.WalletCharge)
        ]
        await asyncio.gather(*(refund(i, r) for i, r in enumerate(paid_references * 3)))
        refunded = await stubs[0].GetWallet(
            pb.GetWalletRequest(account_id=str(account)), metadata=auditor
        )
        trial_after_refunds = await stubs[1].GetTrialBalance(
            pb.GetTrialBalanceRequest(), metadata=auditor
        )
    finally:
        for channel in channels:
            await channel.close()

    assert all(isinstance(r, pb.WalletCharge) for r in repeated), repeated
    assert len({r.charge_id for r in repeated if isinstance(r, pb.WalletCharge)}) == 1
    paid = [r for r in results if isinstance(r, pb.WalletCharge)]
    refused = [r for r in results if isinstance(r, grpc.aio.AioRpcError)]
    assert len(paid) == 19  # $9.50 left after the repeated message, 50 cents each
    assert {(e.code(), refusal_of(e).reason) for e in refused} == {
        (grpc.StatusCode.FAILED_PRECONDITION, "insufficient_credit")
    }
    assert sorted(p.balance_after_cents for p in paid) == list(range(0, 950, 50))
    assert wallet.balance_cents == 0
    assert trial.balanced
    assert trial.total_debit_cents == trial.total_credit_cents > 0
    assert len(paid_references) == 20
    assert refunded.balance_cents == 1000
    assert trial_after_refunds.balanced

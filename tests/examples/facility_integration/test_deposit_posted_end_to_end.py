"""The example facility system against identity and the ledger on the real Kafka and PostgreSQL:
the resident it books reaches the ledger through identity, a family's deposit to them is captured,
the capture reaches the facility, which credits the resident's trust account and posts it, and
the posting reaches the ledger, where the family sees the deposit posted."""

from __future__ import annotations

import uuid
from pathlib import Path

import grpc
from kinlink.identity.v1 import identity_pb2 as identity_pb
from kinlink.identity.v1 import identity_pb2_grpc
from kinlink.ledger.v1 import ledger_pb2 as ledger_pb
from kinlink.ledger.v1 import ledger_pb2_grpc
from kinlink_contracts.demo import DEMO_FACILITIES
from kinlink_contracts.demo import FAC_DEMO
from kinlink_contracts.facility_settings_message import settings_message
from kinlink_facility_example.books import Books
from kinlink_facility_example.books import EntryKind
from kinlink_kit.testing import Infra
from kinlink_kit.testing import eventually
from kinlink_kit.testing import refusal_of

from tests.conftest import bearer
from tests.facility_example import facility_command
from tests.facility_example import following
from tests.identity_grpc import EMAIL
from tests.identity_grpc import HOME
from tests.identity_grpc import log_in
from tests.identity_grpc import registration
from tests.streams.test_identity_to_ledger import Platform
from tests.streams.test_identity_to_ledger import operator_session
from tests.streams.test_identity_to_ledger import platform  # noqa: F401  (the fixture)

RESIDENT = "R-4417"


async def test_a_deposit_to_a_resident_the_facility_booked_comes_back_posted(
    platform: Platform,  # noqa: F811
    infra: Infra,
    tmp_path: Path,
) -> None:
    facility = f"FAC-EXAMPLE-{uuid.uuid4().hex[:8]}"  # this run's own: the topics keep others'
    state_file = tmp_path / "books.sqlite"
    async with grpc.aio.insecure_channel(platform.address) as channel:
        identity = identity_pb2_grpc.IdentityServiceStub(channel)
        ledger = ledger_pb2_grpc.LedgerServiceStub(channel)
        await identity.ConfigureFacility(
            identity_pb.ConfigureFacilityRequest(
                facility_id=facility, settings=settings_message(DEMO_FACILITIES[FAC_DEMO])
            ),
            metadata=await operator_session(identity),
        )
        booking = ("book", RESIDENT, "Ada", "Byron")
        assert await facility_command(infra.kafka_bootstrap, facility, state_file, *booking) == 0
        await identity.Register(registration())
        await identity.Activate(identity_pb.TokenRequest(token=platform.mailer.last_token(EMAIL)))
        family = bearer((await identity.LogIn(log_in())).access_token)
        await identity.AddCard(
            identity_pb.AddCardRequest(payment_method="pm_card_visa", billing_address=HOME),
            metadata=family,
        )

        deposits: list[ledger_pb.Deposit] = []

        async def deposited() -> bool:
            """A $50 deposit, once the booking and the card have reached the ledger."""
            try:
                quote = await ledger.QuoteDeposit(
                    ledger_pb.QuoteDepositRequest(
                        facility_id=facility, resident_id=RESIDENT, amount_cents=5000
                    ),
                    metadata=family,
                )
                deposit = await ledger.ConfirmDeposit(
                    ledger_pb.ConfirmDepositRequest(
                        quote_id=quote.quote_id,
                        payment_method="pm_card_visa",
                        idempotency_key=quote.quote_id,
                    ),
                    metadata=family,
                )
            except grpc.aio.AioRpcError as error:
                # The facility, the booking or the card has not reached the ledger yet.
                reason = refusal_of(error).reason
                not_yet = {"facility_not_found", "resident_not_found", "payment_method_not_found"}
                assert reason in not_yet, reason
                return False
            deposits.append(deposit)
            return True

        await eventually(deposited, timeout=60)
        (deposit,) = deposits
        assert deposit.status == ledger_pb.DEPOSIT_STATUS_CAPTURED

        async def posted() -> bool:
            seen = await ledger.GetDeposit(
                ledger_pb.GetDepositRequest(deposit_id=deposit.deposit_id), metadata=family
            )
            return seen.status == ledger_pb.DEPOSIT_STATUS_POSTED

        async with following(infra.kafka_bootstrap, facility, state_file):
            await eventually(posted, timeout=60)

    books = Books(state_file)
    try:
        (entry,) = books.statement(RESIDENT)
        assert (entry.kind, entry.reference, entry.amount_cents) == (
            EntryKind.DEPOSIT,
            deposit.deposit_id,
            5000,  # the deposit, not its fee: the fee is Kinlink's
        )
        assert books.balance_cents(RESIDENT) == 5000
    finally:
        books.close()
    recorded = platform.ledger.deposit(uuid.UUID(deposit.deposit_id))
    assert recorded.posted_reference == entry.posted_reference

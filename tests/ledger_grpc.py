"""What tests of the ledger's gRPC API share: making a deposit, waiting for a facility."""

from __future__ import annotations

import grpc
from kinlink.ledger.v1 import ledger_pb2 as pb
from kinlink.ledger.v1 import ledger_pb2_grpc


async def make_deposit(
    stub: ledger_pb2_grpc.LedgerServiceStub,
    family: list[tuple[str, str]],
    resident: str = "R-1",
    facility: str = "FAC-DEMO",
) -> pb.Deposit:
    quote = await stub.QuoteDeposit(
        pb.QuoteDepositRequest(facility_id=facility, resident_id=resident, amount_cents=5000),
        metadata=family,
    )
    return await stub.ConfirmDeposit(
        pb.ConfirmDepositRequest(
            quote_id=quote.quote_id, payment_method="pm_card_visa", idempotency_key=resident
        ),
        metadata=family,
    )


async def takes_deposits(
    stub: ledger_pb2_grpc.LedgerServiceStub,
    family: list[tuple[str, str]],
    facility: str,
    resident: str,
) -> bool:
    """Whether the ledger has heard from identity of `facility` and `resident` (and so of what
    identity published before them on the same partition, e.g. the family's cards)."""
    try:
        await stub.QuoteDeposit(
            pb.QuoteDepositRequest(facility_id=facility, resident_id=resident, amount_cents=100),
            metadata=family,
        )
    except grpc.aio.AioRpcError as error:
        if error.code() == grpc.StatusCode.NOT_FOUND:
            return False
        raise
    return True

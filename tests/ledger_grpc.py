"""What tests of the ledger's gRPC API share: making a deposit, telling a ledger process of a
facility, a family member's card and a resident as identity does, waiting for them; asking for
a refusal."""

from __future__ import annotations

from collections.abc import Callable

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
from kinlink_kit.testing import eventually
from kinlink_kit.testing import refused_over_grpc

from tests.conftest import TokenKeys
from tests.identity_grpc import staff
from tests.streams.kafka_helpers import produce

# (changes to a good request, the caller's role, then the status, reason and field refused with)
Refusal = tuple[dict[str, object], Role, grpc.StatusCode, str, str | None]


async def refused_by_the_ledger(
    channel: grpc.aio.Channel,
    token_keys: TokenKeys,
    rpc: str,
    request: Callable[..., object],
    refusal: Refusal,
) -> None:
    """Method `rpc`, asked with `request(**changes)` by a caller of that role, is refused so."""
    changes, caller, status, reason, field = refusal
    call = getattr(ledger_pb2_grpc.LedgerServiceStub(channel), rpc)(
        request(**changes), metadata=staff(token_keys, caller)
    )
    await refused_over_grpc(call, status, reason, field)


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


async def identity_tells(
    kafka_bootstrap: str,
    stub: ledger_pb2_grpc.LedgerServiceStub,
    family: list[tuple[str, str]],
    account: str,
    facility: str,
    resident: str,
) -> None:
    """Identity's topic tells of `facility` (the demo facility's terms), the account's visa card
    and `resident` there; returns once the ledger behind `stub` has heard of them all."""
    events = [
        facility_configured(facility, DEMO_FACILITIES[FAC_DEMO]),
        card_added(account, "pm_card_visa"),
        resident_booked(facility, resident),
    ]
    # One key, so one partition: the booking is applied after the facility and the card.
    await produce(
        kafka_bootstrap, IDENTITY_EVENTS, [(facility.encode(), e.to_bytes()) for e in events]
    )
    await eventually(lambda: takes_deposits(stub, family, facility, resident), timeout=60)

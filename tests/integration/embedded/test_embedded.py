"""`make run`: the embedded platform seeds its demo through the services, and starts again on
the same data folder without changing or duplicating anything."""

from __future__ import annotations

from pathlib import Path

import grpc
from kinlink.identity.v1 import identity_pb2 as identity_pb
from kinlink.identity.v1 import identity_pb2_grpc
from kinlink.ledger.v1 import ledger_pb2 as ledger_pb
from kinlink.ledger.v1 import ledger_pb2_grpc
from kinlink_contracts.demo import FAC_DEMO
from kinlink_embedded import demo
from kinlink_embedded.main import EmbeddedSettings
from kinlink_embedded.main import platform
from kinlink_kit.sqlite_bus import SQLiteBus
from kinlink_kit.testing import serving

from tests.conftest import bearer


async def start_and_quote(data_dir: Path) -> tuple[int, int, list[str]]:
    """Start the platform, seed it, and as the demo family: the fee of a $50 quote at FAC-DEMO
    (confirmed with the demo family's card, as the README does), the number of mails sent so
    far, and the residents a search for "Love" finds."""
    bus = SQLiteBus.in_folder(data_dir)
    parts, verifier = platform(EmbeddedSettings(data_dir=data_dir), bus)
    async with serving(parts, bus, verifier) as address:
        await demo.seed(address, data_dir / "mail")
        async with grpc.aio.insecure_channel(address) as channel:
            identity = identity_pb2_grpc.IdentityServiceStub(channel)
            session = await identity.LogIn(
                identity_pb.LogInRequest(email=demo.FAMILY_EMAIL, password=demo.FAMILY_PASSWORD)
            )
            family = bearer(session.access_token)
            found = await identity.SearchResidents(
                identity_pb.SearchResidentsRequest(last_name="Love"), metadata=family
            )
            ledger = ledger_pb2_grpc.LedgerServiceStub(channel)
            quote = await ledger.QuoteDeposit(
                ledger_pb.QuoteDepositRequest(
                    facility_id=FAC_DEMO, resident_id="R-1001", amount_cents=5000
                ),
                metadata=family,
            )
            confirm = ledger_pb.ConfirmDepositRequest(
                quote_id=quote.quote_id, payment_method="pm_card_visa", idempotency_key="demo"
            )
            deposit = await ledger.ConfirmDeposit(confirm, metadata=family)
            assert deposit.status == ledger_pb.DEPOSIT_STATUS_CAPTURED
    mails = len(list((data_dir / "mail").glob("*.eml")))
    return quote.fee_cents, mails, [r.resident_id for r in found.residents]


async def test_the_demo_is_seeded_once_and_survives_a_restart(tmp_path: Path) -> None:
    first = await start_and_quote(tmp_path)
    assert first == (595, 1, ["R-1001"])  # one mail: the demo family's activation
    # Started again on the same folder: the same demo, nothing registered or booked twice.
    assert await start_and_quote(tmp_path) == first

"""The commissary's order charges over the real ledger, served over gRPC on PostgreSQL, with
identity signing the commissary in: an attempt captured once with its receipt, a decline and a
card the family member never added as declines with their codes, the ledger stopped as
`ledger_unavailable`."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from collections.abc import Iterator
from pathlib import Path
from uuid import UUID
from uuid import uuid4

import pytest
from kinlink_commissary.adapters.ledger_orders import LedgerOrderCharges
from kinlink_commissary.domain.ports import ChargeRequest
from kinlink_commissary.domain.ports import ChargeStatus
from kinlink_commissary.domain.ports import LedgerUnavailable
from kinlink_identity.bootstrap import build_identity
from kinlink_identity.bootstrap import identity_service
from kinlink_kit.bus import InMemoryBus
from kinlink_kit.testing import Infra
from kinlink_kit.testing import free_port
from kinlink_kit.testing import refused
from kinlink_kit.testing import serving
from kinlink_ledger.bootstrap import LedgerSettings
from kinlink_ledger.bootstrap import build_ledger
from kinlink_ledger.bootstrap import ledger_service
from kinlink_ledger.domain.order_charge import OrderCharge
from kinlink_ledger.service_layer.ledger import Ledger

from tests.conftest import TokenKeys
from tests.ledger_facilities import D1
from tests.ledger_facilities import configure_demo_facilities
from tests.service_accounts import identity_settings_with_service_account
from tests.service_accounts import service_account


@pytest.fixture
def ledger_settings(infra: Infra, fresh_database: str) -> LedgerSettings:
    return LedgerSettings(postgres_dsn=infra.postgres_url(fresh_database), kafka_bootstrap=None)


@pytest.fixture
def ledger(ledger_settings: LedgerSettings) -> Iterator[Ledger]:
    built = build_ledger(ledger_settings)
    configure_demo_facilities(built)
    yield built
    built.close()


@pytest.fixture
async def identity_address(tmp_path: Path, token_keys: TokenKeys) -> AsyncIterator[str]:
    settings = identity_settings_with_service_account(tmp_path, token_keys)
    bus = InMemoryBus()
    parts = [identity_service(settings, bus, build_identity(settings))]
    async with serving(parts, bus, token_keys.verifier()) as address:
        yield address


def request(
    order_id: UUID, payment_method: str = "pm_card_visa", attempt: int = 1
) -> ChargeRequest:
    return ChargeRequest(order_id, attempt, UUID(D1), "FAC-DEMO", "R-1", 998, payment_method)


async def test_orders_are_charged_once_and_declines_carry_their_codes(
    ledger: Ledger, ledger_settings: LedgerSettings, identity_address: str, token_keys: TokenKeys
) -> None:
    bus = InMemoryBus()
    parts = [ledger_service(ledger_settings, bus, build_ledger(ledger_settings))]
    async with serving(parts, bus, token_keys.verifier()) as address:
        charges = LedgerOrderCharges(address, service_account(identity_address))
        order_id = uuid4()
        captured = await asyncio.to_thread(charges.charge, request(order_id))
        assert (captured.status, captured.receipt_number) == (
            ChargeStatus.CAPTURED,
            OrderCharge.receipt_number_of(OrderCharge.create_id(order_id)),
        )
        assert captured.charged_at is not None
        assert await asyncio.to_thread(charges.charge, request(order_id)) == captured
        later = await asyncio.to_thread(charges.charge, request(order_id, "pm_card_mastercard", 2))
        assert later == captured, "a captured order is never charged again"

        declined = await asyncio.to_thread(
            charges.charge, request(uuid4(), "pm_card_chargeDeclinedInsufficientFunds")
        )
        assert (declined.status, declined.decline_reason) == (
            ChargeStatus.DECLINED,
            "insufficient_funds",
        )
        not_theirs = await asyncio.to_thread(charges.charge, request(uuid4(), "pm_card_nobodys"))
        assert (not_theirs.status, not_theirs.decline_reason) == (
            ChargeStatus.DECLINED,
            "payment_method_not_found",
        )
        charges.close()

    stopped = LedgerOrderCharges(f"127.0.0.1:{free_port()}", service_account(identity_address))
    with refused(LedgerUnavailable, "ledger_unavailable"):
        await asyncio.to_thread(stopped.charge, request(uuid4()))
    stopped.close()

"""The commissary's order charges over the real ledger, served over gRPC on PostgreSQL, with
identity signing the commissary in: an attempt captured once with its receipt, a decline and a
card the family member never added as declines with their codes, the ledger stopped as
`ledger_unavailable`."""

from __future__ import annotations

import asyncio
from uuid import UUID
from uuid import uuid4

from kinlink_commissary.adapters.ledger_orders import LedgerOrderCharges
from kinlink_commissary.domain.ports import ChargeRequest
from kinlink_commissary.domain.ports import ChargeStatus
from kinlink_commissary.domain.ports import LedgerUnavailable
from kinlink_kit.testing import free_port
from kinlink_kit.testing import refused
from kinlink_ledger.bootstrap import LedgerSettings
from kinlink_ledger.domain.order_charge import OrderCharge
from kinlink_ledger.service_layer.ledger import Ledger

from tests import ledger_served
from tests.conftest import TokenKeys
from tests.ledger_facilities import D1
from tests.ledger_served import serving_ledger
from tests.service_accounts import service_account

# The served ledger's fixtures, found by pytest under these names.
ledger_settings = ledger_served.ledger_settings
ledger = ledger_served.ledger
identity_address = ledger_served.identity_address


def request(
    order_id: UUID, payment_method: str = "pm_card_visa", attempt: int = 1
) -> ChargeRequest:
    return ChargeRequest(order_id, attempt, UUID(D1), "FAC-DEMO", "R-1", 998, payment_method)


async def test_orders_are_charged_once_and_declines_carry_their_codes(
    ledger: Ledger, ledger_settings: LedgerSettings, identity_address: str, token_keys: TokenKeys
) -> None:
    async with serving_ledger(ledger_settings, token_keys) as address:
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

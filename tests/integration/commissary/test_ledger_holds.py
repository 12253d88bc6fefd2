"""The commissary's AllowanceHolds over the ledger's real gRPC API (served in this test, on SQLite
and on the real PostgreSQL): a hold is held once per allowance id, a declined card is a declined
hold with the ledger's reason, the ledger's refusal of the card reaches the family member with
its own code, and a ledger that cannot be reached is `ledger_unavailable`."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import timedelta
from typing import Any
from typing import cast
from uuid import UUID
from uuid import uuid4

from kinlink_commissary.adapters.ledger_holds import LedgerHolds
from kinlink_commissary.domain.ports import AllowanceRequest
from kinlink_commissary.domain.ports import Hold
from kinlink_commissary.domain.ports import LedgerUnavailable
from kinlink_contracts.demo import FAC_DEMO
from kinlink_kit.auth import Role
from kinlink_kit.bus import InMemoryBus
from kinlink_kit.errors import NotFound
from kinlink_kit.service_account import ServiceAccount
from kinlink_kit.testing import free_port
from kinlink_kit.testing import refused
from kinlink_kit.testing import serving
from kinlink_ledger.bootstrap import LedgerSettings
from kinlink_ledger.bootstrap import ledger_service
from kinlink_ledger.service_layer.allowances import find_allowance
from kinlink_ledger.service_layer.ledger import Ledger

from tests.conftest import TokenKeys
from tests.conftest import bearer
from tests.ledger_facilities import D9


class SignedIn:
    """The commissary's service account, already signed in (identity is not part of this test)."""

    def __init__(self, token: str) -> None:
        self.token = token

    def call(self, rpc: Callable[[Any], Any]) -> Any:
        return rpc(bearer(self.token))


def holds_at(address: str, token_keys: TokenKeys) -> LedgerHolds:
    account = SignedIn(token_keys.token("commissary", Role.PLATFORM_SERVICE))
    return LedgerHolds(address, cast(ServiceAccount, account), timedelta(seconds=5))


def asked(card: str) -> AllowanceRequest:
    return AllowanceRequest(UUID(D9), FAC_DEMO, "R-1001", 2500, card)


async def test_the_ledger_holds_once_declines_with_its_reason_and_refuses_anothers_card(
    ledger: Ledger, ledger_settings: LedgerSettings, token_keys: TokenKeys
) -> None:
    bus = InMemoryBus()
    allowance_id, declined_id = uuid4(), uuid4()
    async with serving(
        [ledger_service(ledger_settings, bus, ledger)], bus, token_keys.verifier()
    ) as address:
        holds = holds_at(address, token_keys)
        try:
            first = await asyncio.to_thread(holds.authorize, allowance_id, asked("pm_card_visa"))
            again = await asyncio.to_thread(holds.authorize, allowance_id, asked("pm_card_visa"))
            declined = await asyncio.to_thread(
                holds.authorize, declined_id, asked("pm_card_chargeDeclined")
            )
            with refused(NotFound, "payment_method_not_found"):
                await asyncio.to_thread(holds.authorize, uuid4(), asked("pm_card_not_added"))
        finally:
            holds.close()
        held = find_allowance(ledger, allowance_id)  # the service closes the ledger when it stops

    assert (first, again) == (Hold(held=True), Hold(held=True))
    assert declined == Hold(held=False, decline_reason="card_declined")
    assert held is not None
    assert (held.account_id, held.authorized) == (UUID(D9), 2500)


def test_a_ledger_that_cannot_be_reached_is_unavailable(token_keys: TokenKeys) -> None:
    holds = holds_at(f"127.0.0.1:{free_port()}", token_keys)
    try:
        with refused(LedgerUnavailable, "ledger_unavailable"):
            holds.authorize(uuid4(), asked("pm_card_visa"))
    finally:
        holds.close()

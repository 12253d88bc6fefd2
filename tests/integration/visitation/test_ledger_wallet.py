"""Visitation's wallet over the real ledger, served over gRPC on PostgreSQL, with identity
signing the service in: a minute charged once per reference, found, refunded once; a wallet
that cannot cover a minute is `insufficient_credit`; an approved refund granted as credit once
by the service's own account."""

from __future__ import annotations

import asyncio
from uuid import uuid4

from kinlink_kit.testing import refused
from kinlink_ledger.bootstrap import LedgerSettings
from kinlink_ledger.service_layer.ledger import Ledger
from kinlink_visitation.adapters.ledger_wallet import LedgerWallet
from kinlink_visitation.domain.wallet import ONE_MINUTE
from kinlink_visitation.domain.wallet import InsufficientCredit
from kinlink_visitation.domain.wallet import Payment
from kinlink_visitation.domain.wallet import minute_reference
from kinlink_visitation.domain.wallet import refund_reference

from tests import ledger_served
from tests.conftest import TokenKeys
from tests.integration.messaging.test_ledger_wallet import balance
from tests.integration.messaging.test_ledger_wallet import subscribed
from tests.ledger_served import serving_ledger
from tests.service_accounts import service_account

FAC = "FAC-DEMO"  # a video minute 25 cents

# The served ledger's fixtures, found by pytest under these names.
ledger_settings = ledger_served.ledger_settings
ledger = ledger_served.ledger
identity_address = ledger_served.identity_address


async def test_a_minute_is_charged_once_found_and_given_back_once(
    ledger: Ledger, ledger_settings: LedgerSettings, identity_address: str, token_keys: TokenKeys
) -> None:
    account = subscribed(ledger)
    visit = uuid4()
    first, second = minute_reference(visit, 1), minute_reference(visit, 2)
    async with serving_ledger(ledger_settings, token_keys) as address:
        wallet = LedgerWallet(address, service_account(identity_address))
        paid = await asyncio.to_thread(wallet.charge, account, FAC, ONE_MINUTE, first)
        assert paid == Payment(first, 25, 975)
        assert await asyncio.to_thread(wallet.charge, account, FAC, ONE_MINUTE, first) == paid
        assert await asyncio.to_thread(wallet.find_payment, account, first) == paid
        assert await asyncio.to_thread(wallet.find_payment, account, second) is None
        for _ in range(2):
            await asyncio.to_thread(wallet.refund, account, FAC, paid, "Cut short on our side")
        assert balance(ledger, account) == 1000


async def test_a_minute_the_wallet_cannot_cover_is_refused_and_takes_nothing(
    ledger: Ledger, ledger_settings: LedgerSettings, identity_address: str, token_keys: TokenKeys
) -> None:
    account = uuid4()  # no subscription, no credit
    async with serving_ledger(ledger_settings, token_keys) as address:
        wallet = LedgerWallet(address, service_account(identity_address))
        with refused(InsufficientCredit, "insufficient_credit"):
            await asyncio.to_thread(
                wallet.charge, account, FAC, ONE_MINUTE, minute_reference(uuid4(), 1)
            )


async def test_an_approved_refund_is_granted_once_by_the_services_own_account(
    ledger: Ledger, ledger_settings: LedgerSettings, identity_address: str, token_keys: TokenKeys
) -> None:
    account = subscribed(ledger)
    reference = refund_reference(uuid4())
    async with serving_ledger(ledger_settings, token_keys) as address:
        wallet = LedgerWallet(address, service_account(identity_address))
        for _ in range(2):
            await asyncio.to_thread(
                wallet.grant_credit, account, FAC, 75, "Refund request approved", reference
            )
    credited = ledger.wallet(account)
    assert credited is not None
    assert (credited.credits, credited.balance) == (75, 1075)

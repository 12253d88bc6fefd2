"""Messaging's wallet over the real ledger, served over gRPC on PostgreSQL, with identity
signing the messaging service in: a message and its images charged once, all or nothing, found
by the payment sweep, refunded once; the ledger stopped or silent is `wallet_unavailable` and
nothing is charged."""

from __future__ import annotations

import asyncio
import socket
from datetime import timedelta
from uuid import UUID
from uuid import uuid4

from kinlink_kit.testing import free_port
from kinlink_kit.testing import refused
from kinlink_ledger.bootstrap import LedgerSettings
from kinlink_ledger.domain.money import Cents
from kinlink_ledger.domain.wallet_charge import WalletCharge
from kinlink_ledger.service_layer.ledger import Ledger
from kinlink_ledger.service_layer.set_up_subscription import SetUpSubscription
from kinlink_ledger.service_layer.set_up_subscription import set_up_subscription
from kinlink_messaging.adapters.ledger_wallet import LedgerWallet
from kinlink_messaging.domain.ports import ChargeItem
from kinlink_messaging.domain.ports import ChargeKind
from kinlink_messaging.domain.ports import InsufficientCredit
from kinlink_messaging.domain.ports import Payment
from kinlink_messaging.domain.ports import WalletUnavailable

from tests import ledger_served
from tests.conftest import TokenKeys
from tests.ledger_facilities import choose_card
from tests.ledger_served import serving_ledger
from tests.service_accounts import service_account

FAC = "FAC-DEMO"  # a message 50 cents, an image 100


def message(images: int) -> tuple[ChargeItem, ...]:
    """What a message with `images` images is charged for."""
    pictures = (ChargeItem(ChargeKind.IMAGE, images),) if images else ()
    return (ChargeItem(ChargeKind.MESSAGE, 1), *pictures)


# The served ledger's fixtures, found by pytest under these names.
ledger_settings = ledger_served.ledger_settings
ledger = ledger_served.ledger
identity_address = ledger_served.identity_address


def subscribed(ledger: Ledger) -> UUID:
    """A family member whose wallet holds $10.00."""
    account = uuid4()
    choose_card(ledger, account, "pm_card_visa")
    set_up_subscription(ledger, SetUpSubscription(account, FAC, Cents(1000)))
    return account


def balance(ledger: Ledger, account: UUID) -> int:
    wallet = ledger.wallet(account)
    assert wallet is not None
    return wallet.balance


async def test_a_message_and_its_images_are_charged_once_found_and_refunded_once(
    ledger: Ledger, ledger_settings: LedgerSettings, identity_address: str, token_keys: TokenKeys
) -> None:
    account = subscribed(ledger)
    async with serving_ledger(ledger_settings, token_keys) as address:
        wallet = LedgerWallet(address, service_account(identity_address))
        charge = (wallet.charge, account, FAC, message(images=2), "message:1")
        paid = await asyncio.to_thread(*charge)
        assert paid == Payment("message:1", 250, 750)
        assert await asyncio.to_thread(*charge) == paid
        assert balance(ledger, account) == 750
        found = await asyncio.to_thread(wallet.find_payment, account, "message:1")
        assert found == paid
        assert await asyncio.to_thread(wallet.find_payment, account, "message:2") is None
        for _ in range(2):
            await asyncio.to_thread(wallet.refund, account, FAC, paid, "Rejected by the facility")
        assert balance(ledger, account) == 1000


async def test_insufficient_credit_takes_nothing(
    ledger: Ledger, ledger_settings: LedgerSettings, identity_address: str, token_keys: TokenKeys
) -> None:
    account = subscribed(ledger)
    async with serving_ledger(ledger_settings, token_keys) as address:
        wallet = LedgerWallet(address, service_account(identity_address))
        with refused(InsufficientCredit, "insufficient_credit"):
            # $10.50: the message alone, or it with nine images, would fit.
            await asyncio.to_thread(wallet.charge, account, FAC, message(images=10), "message:1")
        assert await asyncio.to_thread(wallet.find_payment, account, "message:1") is None
    assert balance(ledger, account) == 1000


async def test_the_ledger_stopped_is_unavailable_and_nothing_is_charged(
    ledger: Ledger, ledger_settings: LedgerSettings, identity_address: str, token_keys: TokenKeys
) -> None:
    account = subscribed(ledger)
    signed_in = service_account(identity_address)
    async with serving_ledger(ledger_settings, token_keys) as address:
        wallet = LedgerWallet(address, signed_in)
        await asyncio.to_thread(wallet.charge, account, FAC, message(images=0), "message:1")
    # The ledger is stopped: its address refuses connections.
    for call in (
        lambda: wallet.charge(account, FAC, message(images=1), "message:2"),
        lambda: wallet.find_payment(account, "message:1"),
        lambda: wallet.refund(account, FAC, Payment("message:1", 50, 950), "Rejected"),
    ):
        with refused(WalletUnavailable, "wallet_unavailable"):
            await asyncio.to_thread(call)
    assert balance(ledger, account) == 950
    assert ledger.find(WalletCharge.create_id(account, "message:2"), WalletCharge) is None


async def test_a_ledger_that_does_not_answer_in_time_is_unavailable(
    identity_address: str,
) -> None:
    with socket.socket() as silent:  # listens, never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        host, port = silent.getsockname()
        wallet = LedgerWallet(
            f"{host}:{port}", service_account(identity_address), timedelta(milliseconds=300)
        )
        with refused(WalletUnavailable, "wallet_unavailable"):
            await asyncio.to_thread(wallet.charge, uuid4(), FAC, message(images=1), "message:1")


async def test_identity_unreachable_for_the_sign_in_is_unavailable(
    ledger_settings: LedgerSettings, token_keys: TokenKeys
) -> None:
    async with serving_ledger(ledger_settings, token_keys) as address:
        wallet = LedgerWallet(address, service_account(f"127.0.0.1:{free_port()}"))
        with refused(WalletUnavailable, "wallet_unavailable"):
            await asyncio.to_thread(wallet.charge, uuid4(), FAC, message(images=1), "message:1")

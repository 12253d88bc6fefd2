"""The SMS gateway's wallet over the real ledger served over gRPC, with identity signing the
service in: an SMS's segments and pictures charged once per `sms:<SID>`, all or nothing, at the
facility's prices; the balance read before sending."""

from __future__ import annotations

import asyncio
from uuid import uuid4

from kinlink_kit.testing import refused
from kinlink_ledger.bootstrap import LedgerSettings
from kinlink_ledger.service_layer.ledger import Ledger
from kinlink_sms.adapters.ledger_wallet import LedgerWallet
from kinlink_sms.domain.ports import ChargeItem
from kinlink_sms.domain.ports import ChargeKind
from kinlink_sms.domain.ports import InsufficientCredit
from kinlink_sms.domain.ports import Payment

from tests.conftest import TokenKeys
from tests.integration.messaging.test_ledger_wallet import FAC
from tests.integration.messaging.test_ledger_wallet import balance
from tests.integration.messaging.test_ledger_wallet import identity_address  # noqa: F401
from tests.integration.messaging.test_ledger_wallet import ledger  # noqa: F401
from tests.integration.messaging.test_ledger_wallet import ledger_settings  # noqa: F401
from tests.integration.messaging.test_ledger_wallet import serving_ledger
from tests.integration.messaging.test_ledger_wallet import subscribed
from tests.service_accounts import service_account


def sms(segments: int, pictures: int = 0) -> tuple[ChargeItem, ...]:
    mms = (ChargeItem(ChargeKind.MMS, pictures),) if pictures else ()
    return (ChargeItem(ChargeKind.SMS_SEGMENT, segments), *mms)


async def test_an_sms_is_charged_per_segment_and_picture_once_per_sid(
    ledger: Ledger,  # noqa: F811
    ledger_settings: LedgerSettings,  # noqa: F811
    identity_address: str,  # noqa: F811
    token_keys: TokenKeys,
) -> None:
    account = subscribed(ledger)  # $10.00; FAC-DEMO: a segment 50 cents, a picture 100
    async with serving_ledger(ledger_settings, token_keys) as address:
        wallet = LedgerWallet(address, service_account(identity_address))
        assert await asyncio.to_thread(wallet.balance, account) == 1000
        charge = (wallet.charge, account, FAC, sms(segments=3, pictures=1), "sms:SM1")
        paid = await asyncio.to_thread(*charge)
        assert paid == Payment("sms:SM1", 250, 750)
        assert await asyncio.to_thread(*charge) == paid
        assert await asyncio.to_thread(wallet.find_payment, account, "sms:SM1") == paid
        assert await asyncio.to_thread(wallet.balance, account) == 750
        with refused(InsufficientCredit, "insufficient_credit"):
            await asyncio.to_thread(wallet.charge, account, FAC, sms(segments=16), "sms:SM2")
        assert await asyncio.to_thread(wallet.find_payment, account, "sms:SM2") is None
        # An account that never set up a subscription has nothing to spend.
        assert await asyncio.to_thread(wallet.balance, uuid4()) == 0
    assert balance(ledger, account) == 750

"""Charging an SMS reply received and settling it, on SQLite and on the real PostgreSQL: paid,
it is passed on (SmsReplyReceived); without credit, refused; with the ledger unreachable or its
answer lost, left received until the settle sweep charges it again under the same reference:
one charge, however often it is asked."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from uuid import UUID
from uuid import uuid4

import pytest
from kinlink_contracts.sms import SmsReplyReceived
from kinlink_contracts.sms import SmsReplyRefused
from kinlink_kit.testing import Clock
from kinlink_sms.domain.inbound_sms import InboundSms
from kinlink_sms.domain.inbound_sms import InboundStatus
from kinlink_sms.domain.inbound_sms import RefusalReason
from kinlink_sms.domain.ports import ChargeItem
from kinlink_sms.domain.ports import Payment
from kinlink_sms.domain.ports import WalletUnavailable
from kinlink_sms.service_layer.charge_reply import charge_reply
from kinlink_sms.service_layer.charge_reply import settle_replies
from kinlink_sms.service_layer.gateway import SmsGateway

from tests.integration.sms.subscribed import published_replies
from tests.sms_doubles import RESIDENT
from tests.sms_doubles import SMS_FACILITY
from tests.sms_doubles import MemoryWallet
from tests.sms_doubles import SmsOutside

SETTLE_AFTER = timedelta(minutes=5)


def received(gateway: SmsGateway, account_id: UUID, segments: int = 3) -> InboundSms:
    """A reply saved received, as the webhook saves it before charging."""
    sms = InboundSms(
        f"SM{uuid4().hex}",
        account_id,
        SMS_FACILITY,
        RESIDENT,
        "See you Sunday",
        segments,
        "gsm7",
        0,
        gateway.clock(),
    )
    gateway.store.save(sms)
    return sms


@pytest.fixture
def family(outside: SmsOutside) -> UUID:
    """A family member with 100 cents in their messaging subscription (5 a segment here)."""
    account_id = uuid4()
    outside.wallet.fund(account_id, 100)
    return account_id


def test_a_paid_reply_is_passed_on_with_its_payment_charged_once(
    gateway: SmsGateway, outside: SmsOutside, family: UUID
) -> None:
    sms = received(gateway, family)
    passed = charge_reply(gateway, sms.id)
    assert charge_reply(gateway, sms.id).version == passed.version, "settled: nothing more"

    assert (passed.status, passed.amount_cents) == (InboundStatus.PASSED_ON, 15)
    assert outside.wallet.charged(family) == [Payment(f"sms:{sms.sid}", 15, 85)]
    (envelope,) = published_replies(gateway)
    event = SmsReplyReceived.model_validate(envelope.payload)
    assert (envelope.type, envelope.key) == ("SmsReplyReceived", RESIDENT)
    assert (event.sms_id, event.account_id, event.facility_id) == (sms.id, family, SMS_FACILITY)
    assert (event.body, event.segments, event.amount_cents) == ("See you Sunday", 3, 15)
    assert (event.payment_reference, event.received_at) == (f"sms:{sms.sid}", sms.received_at)


def test_a_reply_without_credit_is_refused_and_nothing_charged(
    gateway: SmsGateway, outside: SmsOutside, family: UUID
) -> None:
    sms = received(gateway, family, segments=21)  # 105 cents

    refused = charge_reply(gateway, sms.id)
    assert (refused.status, refused.refusal) == (
        InboundStatus.REFUSED,
        RefusalReason.INSUFFICIENT_CREDIT,
    )
    assert outside.wallet.charged(family) == []
    assert outside.wallet.balances[family] == 100
    (envelope,) = published_replies(gateway)
    event = SmsReplyRefused.model_validate(envelope.payload)
    assert (event.sms_id, event.reason) == (sms.id, "insufficient_credit")


@dataclass
class AnswerLost:
    """The ledger charges, then its answer never comes back (a timeout, a process stopped)."""

    wallet: MemoryWallet

    def charge(
        self, account_id: UUID, facility_id: str, items: tuple[ChargeItem, ...], reference: str
    ) -> Payment:
        self.wallet.charge(account_id, facility_id, items, reference)
        raise WalletUnavailable()


def test_a_reply_whose_charge_went_unanswered_is_charged_once_by_the_settle_sweep(
    gateway: SmsGateway,
    outside: SmsOutside,
    family: UUID,
    clock: Clock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sms = received(gateway, family)
    with monkeypatch.context() as lost:
        lost.setattr(gateway, "wallet", AnswerLost(outside.wallet))
        with pytest.raises(WalletUnavailable):
            charge_reply(gateway, sms.id)
    assert gateway.find(sms.id, InboundSms).status is InboundStatus.RECEIVED
    assert settle_replies(gateway, SETTLE_AFTER) == 0, "left to the webhook answering it"

    clock.now += SETTLE_AFTER
    assert settle_replies(gateway, SETTLE_AFTER) == 1
    assert settle_replies(gateway, SETTLE_AFTER) == 0
    assert gateway.find(sms.id, InboundSms).status is InboundStatus.PASSED_ON
    assert outside.wallet.charged(family) == [Payment(f"sms:{sms.sid}", 15, 85)], "once"
    assert [e.type for e in published_replies(gateway)] == ["SmsReplyReceived"]


def test_the_settle_sweep_stops_while_the_ledger_is_unreachable_and_settles_later(
    gateway: SmsGateway, outside: SmsOutside, family: UUID, clock: Clock
) -> None:
    first, second = received(gateway, family), received(gateway, family, segments=30)
    clock.now += SETTLE_AFTER
    outside.wallet.unreachable = True
    assert settle_replies(gateway, SETTLE_AFTER) == 0
    assert gateway.find(first.id, InboundSms).status is InboundStatus.RECEIVED

    outside.wallet.unreachable = False
    assert settle_replies(gateway, SETTLE_AFTER) == 2
    assert gateway.find(first.id, InboundSms).status is InboundStatus.PASSED_ON
    assert gateway.find(second.id, InboundSms).refusal is RefusalReason.INSUFFICIENT_CREDIT
    assert outside.wallet.balances[family] == 85

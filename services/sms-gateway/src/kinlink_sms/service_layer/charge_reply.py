"""Charging a received SMS reply and settling it by the answer (decision 0046): paid, it is
passed on to messaging (SmsReplyReceived); without credit, refused (SmsReplyRefused
insufficient_credit). The wallet charges its reference `sms:<MessageSid>` once, so the webhook
repeated and the settle sweep may both ask: one charge, one outcome.

With the ledger unreachable `WalletUnavailable` goes to the caller and the reply stays received
for the settle sweep (`settle_replies`)."""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID

from kinlink_kit.errors import NotFound
from kinlink_kit.errors import Unavailable
from kinlink_kit.logging import get_logger
from kinlink_kit.metrics import SMS_REPLIES_AWAITING_CHARGE

from kinlink_sms.domain.inbound_sms import InboundSms
from kinlink_sms.domain.inbound_sms import InboundStatus
from kinlink_sms.domain.inbound_sms import RefusalReason
from kinlink_sms.domain.ports import InsufficientCredit
from kinlink_sms.domain.ports import Payment
from kinlink_sms.service_layer.gateway import SmsGateway

log = get_logger(__name__)


class InboundSmsNotFound(NotFound):
    def __init__(self) -> None:
        super().__init__("inbound_sms_not_found", "No such inbound SMS.")


def charge_reply(gateway: SmsGateway, inbound_id: UUID) -> InboundSms:
    """The reply charged and settled; as it is when it was settled already."""
    inbound = gateway.require(inbound_id, InboundSms, InboundSmsNotFound)
    if inbound.status is not InboundStatus.RECEIVED:
        return inbound
    try:
        payment = gateway.wallet.charge(
            inbound.account_id, inbound.facility_id, inbound.items, inbound.reference
        )
    except InsufficientCredit:
        return refuse_reply(gateway, inbound_id, RefusalReason.INSUFFICIENT_CREDIT)
    return _pass_on(gateway, inbound_id, payment)


def refuse_reply(gateway: SmsGateway, inbound_id: UUID, reason: RefusalReason) -> InboundSms:
    def refusing(inbound: InboundSms) -> InboundSms:
        inbound.refuse(reason, gateway.clock())
        return inbound

    refused = gateway.change(inbound_id, InboundSms, refusing, missing=InboundSmsNotFound)
    log.info("sms reply refused", inbound_id=str(inbound_id), reason=reason.value)
    return refused


def _pass_on(gateway: SmsGateway, inbound_id: UUID, payment: Payment) -> InboundSms:
    def passing_on(inbound: InboundSms) -> InboundSms:
        inbound.pass_on(payment, gateway.clock())
        return inbound

    passed = gateway.change(inbound_id, InboundSms, passing_on, missing=InboundSmsNotFound)
    log.info(
        "sms reply passed on",
        inbound_id=str(inbound_id),
        facility_id=passed.facility_id,
        amount_cents=payment.amount_cents,
    )
    return passed


def settle_replies(gateway: SmsGateway, after: timedelta) -> int:
    """The settle sweep: every reply still received `after` its receipt (the ledger was
    unreachable, or the process stopped between saving it and charging it) is charged again
    under its reference and settled. Younger ones are left to the webhook still answering.
    Returns how many it settled."""
    now = gateway.clock()
    SMS_REPLIES_AWAITING_CHARGE.set(len(gateway.views.inbound.unsettled(now)))
    settled = 0
    for inbound_id in gateway.views.inbound.unsettled(now - after):
        try:
            if charge_reply(gateway, inbound_id).status is not InboundStatus.RECEIVED:
                settled += 1
        except Unavailable:
            log.warning("the wallet cannot be reached; the next sweep asks again")
            break
        except Exception:
            # One reply that cannot be settled must not keep the sweep from the others.
            log.exception("sms reply not settled; the next sweep tries again", id=str(inbound_id))
    return settled

"""What the carrier says of an outbound SMS, recorded (decisions 0044, 0045): its status
callbacks (`record_sms_status`, reference `sms:<id>`), its refusals at sending, and the settle
sweep's own questions all end here.

Delivered: the wallet is charged once for the SID delivered (`sms:<SID>`), then the payment is
recorded (SmsDelivered). Failed: tried again later, or failed for good; a number the carrier
cannot reach (30003, 30005, 30006, 21614) is marked unreachable and the subscription turned off
(number_unreachable), one that opted out (21610) is marked so, in the same transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from uuid import UUID

from kinlink_contracts.sms import SmsOffReason
from kinlink_kit.errors import InvalidArgument
from kinlink_kit.errors import NotFound
from kinlink_kit.logging import get_logger
from kinlink_kit.metrics import SMS_OUTBOUND

from kinlink_sms.domain.outbound_sms import Failure
from kinlink_sms.domain.outbound_sms import OutboundSms
from kinlink_sms.domain.outbound_sms import OutboundStatus
from kinlink_sms.domain.phone_number import PhoneNumber
from kinlink_sms.domain.ports import ChargeItem
from kinlink_sms.domain.ports import ChargeKind
from kinlink_sms.domain.ports import InsufficientCredit
from kinlink_sms.domain.ports import StatusReport
from kinlink_sms.domain.subscription import SmsSubscription
from kinlink_sms.service_layer.gateway import SmsGateway

log = get_logger(__name__)
REFERENCE_PREFIX = "sms:"
# The keyword the carrier's 21610 stands for: the number replied STOP to our number.
CARRIER_OPT_OUT = "STOP"


class OutboundSmsNotFound(NotFound):
    def __init__(self) -> None:
        super().__init__("outbound_sms_not_found", "No such SMS.")


class SmsReferenceInvalid(InvalidArgument):
    def __init__(self) -> None:
        super().__init__("sms_reference_invalid", "An SMS's reference is sms:<id>.")


def sms_id_of(reference: str) -> UUID:
    if not reference.startswith(REFERENCE_PREFIX):
        raise SmsReferenceInvalid()
    try:
        return UUID(reference.removeprefix(REFERENCE_PREFIX))
    except ValueError:
        raise SmsReferenceInvalid() from None


def record_sms_status(gateway: SmsGateway, reference: str, report: StatusReport) -> OutboundSms:
    """A status callback (or the sweep's answer from the carrier) for the SMS `reference`
    names; a repeat changes nothing and charges nothing more."""
    sms_id = sms_id_of(reference)
    attempts = gateway.options.send_attempts
    sms = _record(
        gateway,
        sms_id,
        lambda sms: sms.report(
            report.sid, report.status, report.error_code, gateway.clock(), attempts=attempts
        ),
    )
    if sms.unpaid_delivery:
        return charge_delivered(gateway, sms_id)
    return sms


def attempt_failed(
    gateway: SmsGateway, sms_id: UUID, carrier_error_code: int | None
) -> OutboundSms:
    """The attempt under way failed (the carrier refused it, or its answer never came)."""
    attempts = gateway.options.send_attempts
    return _record(
        gateway,
        sms_id,
        lambda sms: sms.attempt_failed(carrier_error_code, gateway.clock(), attempts=attempts),
    )


def charge_delivered(gateway: SmsGateway, sms_id: UUID) -> OutboundSms:
    """The SMS delivered, charged once for its SID and the payment recorded. Without credit
    (spent meanwhile) it stays delivered and unpaid: logged, counted, asked again by the sweep.
    `WalletUnavailable` goes to the caller (the sweep asks again)."""
    sms = gateway.require(sms_id, OutboundSms, OutboundSmsNotFound)
    if not sms.unpaid_delivery or sms.content is None:
        return sms
    items: tuple[ChargeItem, ...] = (ChargeItem(ChargeKind.SMS_SEGMENT, sms.content.segments),)
    if sms.content.pictures:
        items += (ChargeItem(ChargeKind.MMS, sms.content.pictures),)
    try:
        payment = gateway.wallet.charge(
            sms.account_id, sms.facility_id, items, sms.payment_reference
        )
    except InsufficientCredit:
        SMS_OUTBOUND.labels("unpaid").inc()
        log.error("sms delivered, the wallet refused its charge", sms_id=str(sms_id))
        return sms

    def paying(sms: OutboundSms) -> OutboundSms:
        sms.pay(payment, gateway.clock())
        return sms

    paid = gateway.change(sms_id, OutboundSms, paying, missing=OutboundSmsNotFound)
    SMS_OUTBOUND.labels("charged").inc()
    return paid


def _record(
    gateway: SmsGateway, sms_id: UUID, change: Callable[[OutboundSms], object]
) -> OutboundSms:
    """`change(sms)` saved with what it means for the number and the subscription."""

    def attempt() -> tuple[OutboundSms, OutboundStatus]:
        sms = gateway.require(sms_id, OutboundSms, OutboundSmsNotFound)
        before = sms.status
        change(sms)
        gateway.store.save(sms, *_number_effects(gateway, sms, before))
        return sms, before

    sms, before = gateway.retrying(attempt)
    _count(sms, before)
    return sms


def _number_effects(
    gateway: SmsGateway, sms: OutboundSms, before: OutboundStatus
) -> list[PhoneNumber | SmsSubscription]:
    """The number and the subscription changed by an SMS failed just now because its number
    cannot receive SMS."""
    if sms.status is not OutboundStatus.FAILED or before is OutboundStatus.FAILED:
        return []
    if sms.failure not in (Failure.NUMBER_UNREACHABLE, Failure.NUMBER_OPTED_OUT):
        return []
    assert sms.content is not None and sms.carrier_error_code is not None
    now = gateway.clock()
    number = sms.content.to
    phone = gateway.find(PhoneNumber.create_id(number), PhoneNumber) or PhoneNumber(number)
    subscription = gateway.find(
        SmsSubscription.create_id(sms.account_id, sms.facility_id, sms.resident_id),
        SmsSubscription,
    )
    if sms.failure is Failure.NUMBER_UNREACHABLE:
        phone.mark_unreachable(sms.carrier_error_code, now)
        reason = SmsOffReason.NUMBER_UNREACHABLE
    else:
        phone.opt_out(CARRIER_OPT_OUT, now)
        reason = SmsOffReason.OPTED_OUT
    changed: list[PhoneNumber | SmsSubscription] = [phone]
    # Only the subscription still sending to that number: a new one verified meanwhile stays.
    if subscription is not None and subscription.phone_number == number:
        subscription.turn_off(reason, now)
        changed.append(subscription)
    return changed


def _count(sms: OutboundSms, before: OutboundStatus) -> None:
    if sms.status is before:
        return
    outcomes = {
        OutboundStatus.QUEUED: "retried",
        OutboundStatus.DELIVERED: "delivered",
        OutboundStatus.FAILED: "failed",
    }
    if sms.status in outcomes:
        SMS_OUTBOUND.labels(outcomes[sms.status]).inc()
    if sms.status is OutboundStatus.FAILED:
        log.warning(
            "sms failed",
            sms_id=str(sms.id),
            reason=str(sms.failure),
            carrier_error_code=sms.carrier_error_code,
        )

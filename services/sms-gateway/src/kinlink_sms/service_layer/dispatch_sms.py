"""The dispatcher: each queued SMS whose attempt is due is sent, in one replica at a time.

For each: the subscription still on and its number neither opted out nor unreachable, else
not sent; the message read from messaging (its resident's name, body and pictures); the text
prefixed `Kinlink: <resident>: ` and counted in segments; the wallet's balance covering this SMS
and the account's SMS already under way (sent, not charged yet), else not sent
(insufficient_credit: nothing goes out, the message stays in the online inbox). Then the
attempt is recorded before the carrier is called, and the carrier's SID after (decision 0045).
Pictures go as MMS only where the facility allows them; elsewhere the text says where to see
them.
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from kinlink_contracts.facility_settings import FacilitySettings
from kinlink_kit.errors import Unavailable
from kinlink_kit.logging import get_logger
from kinlink_kit.metrics import SMS_OUTBOUND

from kinlink_sms.domain.outbound_sms import Failure
from kinlink_sms.domain.outbound_sms import OutboundSms
from kinlink_sms.domain.outbound_sms import SmsContent
from kinlink_sms.domain.phone_number import PhoneNumber
from kinlink_sms.domain.ports import CarrierRefused
from kinlink_sms.domain.ports import CarrierUnavailable
from kinlink_sms.domain.ports import MessageGone
from kinlink_sms.domain.ports import MessageToSend
from kinlink_sms.domain.ports import OutgoingSms
from kinlink_sms.domain.segments import count_segments
from kinlink_sms.domain.subscription import SmsSubscription
from kinlink_sms.service_layer.gateway import SmsGateway
from kinlink_sms.service_layer.sms_outcomes import OutboundSmsNotFound
from kinlink_sms.service_layer.sms_outcomes import attempt_failed

log = get_logger(__name__)
PHOTO_NOTE = " (photo: read it on Kinlink)"


@dataclass(frozen=True)
class Composed:
    content: SmsContent
    media_urls: tuple[str, ...]


def dispatch_due(gateway: SmsGateway) -> int:
    """Every SMS due now, the longest waiting first; how many were handed to the carrier. A
    collaborator unreachable ends the round (the next one tries again)."""
    sent = 0
    for sms_id in gateway.views.outbound.due(gateway.clock()):
        try:
            sent += dispatch(gateway, sms_id)
        except Unavailable as error:
            log.warning("sms dispatch waits for the next round", code=error.code)
            break
        except Exception:
            # One SMS that cannot be sent must not hold back the others.
            log.exception("sms not dispatched; the next round tries again", sms_id=str(sms_id))
    return sent


def dispatch(gateway: SmsGateway, sms_id: UUID) -> bool:
    """Sends the SMS if it is due; True when the carrier took it."""
    now = gateway.clock()
    sms = gateway.find(sms_id, OutboundSms)
    if sms is None or not sms.due(now):
        return False  # the view lags behind the store
    refusal, subscription = _recipient(gateway, sms)
    if refusal is not None:
        return _not_sent(gateway, sms_id, refusal)
    assert subscription is not None
    try:
        message = gateway.messages.delivered_message(sms.message_id)
    except MessageGone:
        return _not_sent(gateway, sms_id, Failure.MESSAGE_GONE)
    composed = compose(message, gateway.directory.facility(sms.facility_id), subscription)
    balance = gateway.wallet.balance(sms.account_id)
    under_way = gateway.views.outbound.under_way_cents(sms.account_id, besides=sms_id)
    if balance < under_way + composed.content.price_cents:
        return _not_sent(gateway, sms_id, Failure.INSUFFICIENT_CREDIT)
    started = _start_attempt(gateway, sms_id, composed.content)
    if started is None:
        return False
    outgoing = OutgoingSms(
        started.callback_reference,
        composed.content.to,
        composed.content.from_,
        composed.content.body,
        composed.media_urls,
    )
    try:
        receipt = gateway.carrier.send(outgoing)
    except CarrierRefused as refused:
        attempt_failed(gateway, sms_id, refused.carrier_error_code)
        return False
    except CarrierUnavailable:
        # It may have gone out: left `sending`, its report (naming the SMS) or the settle
        # sweep decides, never a second send behind the first one's back.
        log.warning("carrier unavailable while sending an sms", sms_id=str(sms_id))
        return False
    _sent(gateway, sms_id, receipt.sid)
    SMS_OUTBOUND.labels("sent").inc()
    return True


def compose(
    message: MessageToSend, facility: FacilitySettings, subscription: SmsSubscription
) -> Composed:
    """The SMS as sent: prefixed, pictures as MMS where the facility allows them (and
    messaging could give them), else a note; counted and priced at the facility's prices."""
    assert subscription.phone_number is not None and subscription.kinlink_number is not None
    media = message.image_urls if facility.mms_available else ()
    body = f"Kinlink: {message.resident_name}: {message.body}"
    if message.pictures and not media:
        body += PHOTO_NOTE
    count = count_segments(body)
    price = count.segments * facility.message_price_cents + len(media) * facility.image_price_cents
    content = SmsContent(
        to=subscription.phone_number,
        from_=subscription.kinlink_number,
        body=body,
        segments=count.segments,
        encoding=count.encoding.value,
        pictures=len(media),
        price_cents=price,
    )
    return Composed(content, media)


def _recipient(
    gateway: SmsGateway, sms: OutboundSms
) -> tuple[Failure | None, SmsSubscription | None]:
    """Why nothing may go out to the family member now, or their subscription."""
    subscription = gateway.find(
        SmsSubscription.create_id(sms.account_id, sms.facility_id, sms.resident_id),
        SmsSubscription,
    )
    if subscription is None or subscription.phone_number is None:
        return Failure.SMS_OFF, None
    phone = gateway.find(PhoneNumber.create_id(subscription.phone_number), PhoneNumber)
    if phone is not None and phone.opted_out:
        return Failure.NUMBER_OPTED_OUT, None
    if phone is not None and phone.unreachable:
        return Failure.NUMBER_UNREACHABLE, None
    if not subscription.on:
        return Failure.SMS_OFF, None
    return None, subscription


def _start_attempt(gateway: SmsGateway, sms_id: UUID, content: SmsContent) -> OutboundSms | None:
    """The attempt recorded, or None when it is no longer due (another round took it)."""

    def starting(sms: OutboundSms) -> OutboundSms | None:
        now = gateway.clock()
        if not sms.due(now):
            return None
        sms.start_attempt(content, now)
        return sms

    return gateway.change(sms_id, OutboundSms, starting, missing=OutboundSmsNotFound)


def _sent(gateway: SmsGateway, sms_id: UUID, sid: str) -> None:
    def recording(sms: OutboundSms) -> None:
        sms.sent(sid, gateway.clock())

    gateway.change(sms_id, OutboundSms, recording, missing=OutboundSmsNotFound)


def _not_sent(gateway: SmsGateway, sms_id: UUID, reason: Failure) -> bool:
    def refusing(sms: OutboundSms) -> None:
        sms.not_sent(reason, gateway.clock())

    gateway.change(sms_id, OutboundSms, refusing, missing=OutboundSmsNotFound)
    SMS_OUTBOUND.labels("not_sent").inc()
    log.info("sms not sent", sms_id=str(sms_id), reason=reason.value)
    return False
